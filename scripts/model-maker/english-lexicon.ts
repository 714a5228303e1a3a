/**
 * Common English words by kind, roughly most frequent first within each list: what generated-english.ts
 * draws from so that a vocabulary learned from its text splits English words about as a real BERT
 * vocabulary does. Irregular verbs are written `base:past:participle`.
 * Longer than 250 lines because it is a word list: data, not logic.
 */

const words = (text: string): string[] => text.trim().split(/\s+/);

export const FUNCTION_WORDS = words(`
  the of and to a in is that it was for on are as with he be at by i this had not they but from have or
  his an which you were her all she there would their we him been has when who will more no if out so
  said what up its about into than them can only other some could these may then do first any my now
  such like our over me even most after also did many before must through back where much your way well
  down should because each just those how too still here both while might us since against again
  however off around during without once upon every though until always something nothing everything
  anything someone everyone anyone nobody very why yet whether either neither nor another few less
  least among within along across behind beyond toward towards under above below near between though
  although unless whose whom itself himself herself themselves myself yourself ourselves shall ought
  don't it's i'm can't that's didn't he's you're won't isn't doesn't there's i've i'll let's wasn't
  she's we're they're couldn't wouldn't aren't haven't i'd what's you'll we'll hadn't shouldn't
  mr mrs dr st yes oh ah ok please thank thanks hello goodbye perhaps quite rather almost already
  often never sometimes usually soon later ago today tomorrow yesterday tonight away together else
  enough indeed instead anyway besides otherwise therefore thus hence meanwhile moreover nevertheless
  one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
  thousand million billion second third fourth fifth half once twice several none anybody somebody
`);

export const NOUNS = words(`
  time people year day man way thing world life hand part child eye woman place work week case point
  government company number group problem fact house home room mother father water money night story
  name word country family book side head friend door car city school state end course war law
  question power area business service minute hour job system program heart love body face mind
  reason office morning evening idea door street moment teacher student letter boy girl king lord
  church town land sea ship horse foot feet men women children brother sister son daughter wife husband
  table window light fire god death food voice paper air sun moon star tree river road field garden
  money price market business dog cat bird animal hair president nation history party policy member
  kind matter sense power force team game music art picture book page language english french doctor
  police army officer soldier captain master lady gentleman sir madam queen prince princess court
  bed chair floor wall kitchen dinner breakfast lunch coffee tea milk bread wine beer glass cup plate
  train station airport plane bus ticket hotel shop store bank hospital library museum university
  class lesson test exam homework computer phone email message internet website video film movie
  song dance job boss worker office meeting plan report decision change result effect cause chance
  truth lie secret dream hope fear anger joy pain peace freedom justice right duty honor trust
  nature weather rain snow wind storm summer winter spring autumn season month monday sunday
  money dollar pound cost tax budget economy industry trade energy oil gas science research
  health disease medicine care patient heart blood skin bone brain stomach arm leg knee finger
  mouth nose ear tooth teeth neck shoulder back chest smile tear laugh cry sound noise silence
  color red blue green white black yellow brown gold silver stone rock mountain hill valley island
  forest wood grass flower leaf leaves fruit apple orange egg meat fish chicken rice sugar salt
  box bag key pen pencil knife gun sword shoe shirt dress coat hat clothes pocket ring watch clock
  corner edge top bottom middle line circle square shape size weight height length distance speed
  age birth marriage wedding funeral grave ghost spirit soul angel devil heaven hell prayer faith
  friendship enemy stranger neighbor neighbour guest host crowd audience public society community
  culture tradition custom religion belief opinion argument reason theory evidence example detail
  fact information knowledge experience skill ability talent effort attempt success failure mistake
  problem solution answer question difference similarity quality quantity amount rate level degree
  period century age era future past present moment minute second hour week weekend holiday vacation
  trip journey travel tour visit adventure danger risk accident crime murder thief prison judge
  lawyer trial witness victim hero leader chief director manager owner customer client partner
  union congress senate election vote citizen people freedom liberty rights constitution treaty
  peace war battle enemy victory defeat army navy weapon attack defense security threat crisis
  program project task goal purpose aim target progress growth development increase decrease
  road bridge building tower castle palace village farm garden park beach coast port harbor
  north south east west center centre region county province capital border map direction
  letter note card gift present party celebration birthday christmas holiday festival concert
  newspaper magazine article news story novel poem poet writer author artist painter actor
  player singer musician student scientist engineer farmer driver pilot nurse cook waiter
  baby kid youth adult parent grandmother grandfather uncle aunt cousin nephew niece couple
  heart feeling emotion mood temper character personality behavior behaviour manner habit
  attention interest concern worry trouble difficulty advantage benefit profit loss damage
  support help advice suggestion request demand offer promise agreement contract deal
  table figure chart list record file document form copy version edition series collection
  fire smoke flame heat cold ice steam wave ocean lake pond stream shore sand dust dirt mud
  sky cloud earth ground soil planet space universe star light darkness shadow shade
  window glass mirror picture photo image camera screen radio television tv
  action activity address afternoon agency agent amount animal answer apartment appearance application
  approach area argument arrangement article aspect assistance atmosphere attitude authority award
  balance band base basis basket battery beauty beginning bell belt bench bill birthday blade blanket
  block board boat bond border bottle bowl brand branch breath brick budget bug bunch button cabin cable
  cake camp campaign cancer candidate candle canvas capacity career carpet cash castle category cell
  chain chairman challenge champion channel chapter charge cheek cheese chemical chest chip choice
  citizen claim clerk climate coach coal coast code coffee coin collar college colony column comfort
  command comment commerce commission committee competition complaint computer concept condition
  conference confidence conflict connection consequence construction contact content context contest
  contribution control conversation copy cotton council counter courage cousin cow crack craft cream
  credit crew crop crown current curtain cushion customer cycle dad damage data dawn deal debate debt
  deck defence degree delivery department deposit desert design desire desk destruction device diamond
  diet dinner disaster discipline discussion dish display distance district division document dollar
  drawer drawing drink drop drug dust duty eagle economy edge editor education egg election element
  elephant employee employer engine entrance environment equipment error essay estate event exchange
  exercise exhibition existence expense expert explanation expression extent factor factory failure
  fan farmer fashion fault feature fee fence festival fever fiction figure film finance finger flag
  flat flight floor flow fog folk football forest fortune foundation frame freedom frog fuel function
  fund furniture gain gap gate generation gesture giant girlfriend glance glove goal goat grain grandson
  grass gravity grocery growth guard guide guitar gun habit hall hammer handle harbour harm harvest
  hat hatred headline heaven height hero highway hole holiday honey horror host household housing
  hunger hunt husband ice identity illness image impact impression improvement incident income
  independence index influence initiative injury ink insect instance instrument insurance intention
  interview invention investment invitation iron issue item jacket jail jaw jewel joke journal judgment
  juice jungle jury kid kingdom kiss knee knife knot label labour ladder lamp landscape lane laughter
  lawn layer league leather lecture length lesson liberty lid lifetime limit link lip liquid literature
  load loan location log luck luggage machine magic mail male mall mammal manner manufacturer margin
  mask mass mate material meal meaning measure meat media medium memory mess metal method midnight
  mile mill mineral minister mission mixture mode model monkey monster mood motion motor mouse movement
  mud muscle mystery nail nest net network nightmare noon notice novel nut object occasion ocean offer
  operation opportunity option orchestra organ organization origin outcome output oven owner pace pack
  package pain pair palm pan panel parade parent parliament passage passenger passion path pattern
  payment peak pearl penalty pension percent performance permission person phase philosophy phrase
  piano piece pig pile pilot pin pipe pitch planet plastic platform pleasure plot poem poetry poison
  pole pool population portion portrait position possession post pot potato pound poverty practice
  praise presence pressure pride priest principle prison prize procedure process product profession
  professor profile promotion proof property proposal prospect protection protest pub publication
  purchase quarter queen quote race radio rail range rank ratio reaction reader reality recipe
  recognition recommendation reduction reference reform relation relationship release relief reputation
  reserve resident resistance resolution resource respect response responsibility restaurant retirement
  revenue review revolution reward rhythm rice ride ring rise role roof root rope rose route routine row
  rubbish rule safety sailor salad salary sale sample sandwich satisfaction sauce scale scene schedule
  scheme scholar scope score scream script seat secretary section sector selection sentence sequence
  servant session setting shadow shame share sheep sheet shelf shell shelter shift shock shop shot shower
  signal signature silk sin singer sink site situation skill slave sleep slice slope smell snake soap
  soldier solution son source speaker specialist speech spirit sport spot staff stage stair stake stamp
  standard statement statue status steam steel step stick stock stomach storage strategy strength stress
  strike string structure studio stuff style subject substance suit suitcase sum supply surface surgery
  survey suspect sword symbol sympathy tail tale tank tape taste teaching technique technology telephone
  temperature temple tendency tennis tension term territory text theatre theme therapy thread throat
  thumb ticket tide tie tiger tip title tobacco toe tone tongue tool topic tourist towel track tradition
  traffic tragedy transport trap tray treasure treatment trend tribe trick trip troop truck tube tune
  tunnel turn twin type tyre uncle unit valley value van variety vegetable vehicle venue version vessel
  victory view village violence vision visitor volume wage wagon wall warning wealth weapon web wheel
  whisky whole widow width winner wire witch wolf wonder wool worker workshop wound wrist writer yard
`);

export const VERBS = words(`
  be:was:been have:had:had do:did:done say:said:said go:went:gone get:got:got make:made:made
  know:knew:known think:thought:thought take:took:taken see:saw:seen come:came:come want look use
  find:found:found give:gave:given tell:told:told work call try ask need feel:felt:felt become:became:become
  leave:left:left put:put:put mean:meant:meant keep:kept:kept let:let:let begin:began:begun seem help
  talk turn start show:showed:shown hear:heard:heard play run:ran:run move like live believe
  hold:held:held bring:brought:brought happen write:wrote:written provide sit:sat:sat stand:stood:stood
  lose:lost:lost pay:paid:paid meet:met:met include continue set:set:set learn change lead:led:led
  understand:understood:understood watch follow stop create speak:spoke:spoken read:read:read allow add
  spend:spent:spent grow:grew:grown open walk win:won:won offer remember love consider appear
  buy:bought:bought wait serve die send:sent:sent expect build:built:built stay fall:fell:fallen cut:cut:cut
  reach kill remain suggest raise pass sell:sold:sold require report decide pull explain hope develop
  carry break:broke:broken receive agree support hit:hit:hit produce eat:ate:eaten cover catch:caught:caught
  draw:drew:drawn choose:chose:chosen cause point listen realise realize place close involve increase
  drive:drove:driven return sleep:slept:slept marry wish smile laugh cry travel visit finish enjoy
  forget:forgot:forgotten fly:flew:flown swim:swam:swum sing:sang:sung throw:threw:thrown wear:wore:worn
  teach:taught:taught fight:fought:fought feed:fed:fed drink:drank:drunk ride:rode:ridden rise:rose:risen
  shake:shook:shaken steal:stole:stolen hide:hid:hidden bite:bit:bitten forgive:forgave:forgiven
  answer ask accept act admit afford arrive attack avoid borrow brush burn check clean climb collect
  compare complain cook count cross dance deliver depend describe destroy discover discuss dress drop
  earn enter escape examine exist explore fail fill fix fold gather greet guess hate hunt hurry imagine
  improve inform intend invite join jump kiss knock land last laugh lie lift lock manage mark matter
  measure mention miss mix notice obey order own paint park pick plan plant pray prefer prepare
  present pretend print promise protect prove punish push rain reach record refuse relax remove repair
  repeat reply rescue rest rush save search share shout sign smell solve sound spell suffer suppose
  surprise taste thank touch train treat trust visit vote wash waste water wonder worry
  seek:sought:sought fear shine:shone:shone lay:laid:laid hang:hung:hung strike:struck:struck
  swear:swore:sworn tear:tore:torn beat:beat:beaten bear:bore:borne bend:bent:bent bind:bound:bound
  burst:burst:burst dig:dug:dug freeze:froze:frozen shoot:shot:shot shut:shut:shut sink:sank:sunk
  spread:spread:spread spring:sprang:sprung stick:stuck:stuck sting:stung:stung swing:swung:swung
  wake:woke:woken weep:wept:wept wind:wound:wound establish maintain achieve determine identify
  represent indicate contain reduce obtain operate perform apply express concern recognise recognize
  reflect regard relate remind replace respond reveal serve settle struggle survive threaten
  accompany accuse acquire adapt address adjust admire adopt advance advertise advise affect aid aim
  alter amaze amuse analyse announce annoy anticipate apologise appeal appoint appreciate approve argue
  arise:arose:arisen arrange arrest assess assign assist assume assure attach attempt attend attract
  bake balance ban bang bathe beg behave belong bet:bet:bet blame bless blow:blew:blown boil bomb book
  bother bounce bow breathe breed:bred:bred brush bury calculate calm cancel capture celebrate challenge
  charge chase cheat cheer chew claim clap clear coach collapse combine comfort command comment commit
  communicate compete complete compose concentrate conclude conduct confess confirm confuse connect
  construct consult consume contact contribute convert convince copy correct cough crash crawl creep:crept:crept
  criticise cure damage dare deal:dealt:dealt debate declare decline decorate defeat defend define delay
  delight demand deny depart deserve desire detect devote dig:dug:dug direct disagree disappear
  disappoint dislike dismiss display disturb divide donate doubt drag drain dream:dreamt:dreamt drown
  earn educate elect eliminate embrace emerge emphasise employ encourage end endure engage enhance
  ensure entertain equip estimate evaluate evolve exceed exchange excite excuse execute exercise expand
  experience experiment export expose extend face fade fancy fasten favour fetch file film finance fire
  fit flash flee:fled:fled float flood flow fold force forecast form found frighten fry fund gain gaze
  glance glow govern grab grant grasp greet grin grind:ground:ground guarantee guard guide handle
  harm head heal heat highlight hire hook host hug hum hunt hurt:hurt:hurt ignore illustrate impose
  impress inherit injure insist inspect inspire install instruct insult interrupt introduce invent
  invest investigate iron isolate judge justify kick kneel:knelt:knelt knit label lack launch lean:leant:leant
  leap:leapt:leapt lend:lent:lent license link load locate look mail march match melt mend monitor murder
  nod note observe occupy occur organise overcome:overcame:overcome pack pause perceive permit persuade
  phone pinch pour praise predict preserve press prevent proceed process promote pronounce propose
  prosecute publish purchase pursue qualify question race rank rate react recall recommend recover
  recruit refer register regret reject release rely rent request resign resist resolve restore retain
  retire review revise rid:rid:rid ring:rang:rung risk rob rock roll rub ruin rule sail satisfy scare
  scratch scream secure seize select sew shape shave shelter shift shock shrink:shrank:shrunk sigh
  signal sink:sank:sunk skip slide:slid:slid slip smash smoke sneeze snow soak sort spare spill split:split:split
  spoil sponsor stare starve state steer stir store stretch strip stroke study stuff submit succeed suck
  sue supply surround suspect sustain swallow sweep:swept:swept switch tackle tap tempt tend test tick
  tidy tie tip tolerate toss trace trade transfer transform translate trap tremble trick trip trouble
  tune twist type unite unlock urge value vanish vary wander warn weigh whisper whistle wipe wrap yell
`);

export const ADJECTIVES = words(`
  good new first last long great little own other old right big high different small large next early
  young important few public bad same able late hard major better best free sure clear whole strong
  full special easy real black white red true local low possible open short certain poor nice happy
  dear beautiful fine wrong dark deep simple human hot cold warm cool wide fresh final main private
  serious rich heavy green blue brown quiet busy ready angry afraid sorry proud kind wise foolish
  strange sudden quick slow bright soft hard sweet bitter sick ill dead alive empty tired hungry
  lonely lucky famous popular modern ancient natural social political economic national international
  military religious cultural personal physical mental medical legal general common similar various
  useful careful terrible wonderful horrible pleasant dangerous safe difficult interesting boring
  important necessary possible impossible likely unlikely obvious usual unusual normal strange funny
  silly stupid clever smart brave honest gentle polite rude cruel fair pretty ugly handsome tall thin
  fat clean dirty wet dry loud silent calm wild tiny huge narrow broad flat round sharp smooth rough
  american english british french german chinese japanese italian spanish russian european western
  christian holy sacred eternal divine mortal noble royal proper perfect pure entire complete total
  free independent responsible successful effective significant available recent current previous
  particular specific individual original foreign native fellow upper lower inner outer northern southern
  absent academic acceptable accurate active actual additional adequate advanced aggressive alert
  alternative amazing ambitious annual anxious apparent appropriate armed asleep attractive automatic
  average awake aware awful bare basic beloved blind bold bored brief brilliant broken calm capable
  cheap chemical chief civil classic closed comfortable commercial complex confident conscious
  conservative considerable constant content convenient correct crazy creative criminal critical crucial
  cultural curious cute daily damp dangerous dead decent delicate delighted dense desperate detailed
  digital direct distant domestic double downstairs dramatic drunk dull eager eastern educational
  efficient elderly electric electronic elegant emotional endless enormous environmental equal essential
  ethnic evil exact excellent excited exciting existing expensive experienced extra extreme faint
  false familiar fantastic fast favourite federal female financial firm fit fixed flexible fond formal
  former fortunate frequent friendly frightened front frozen generous genuine giant glad global golden
  grand grateful grey guilty handy harsh healthy helpful hidden historic historical hollow homeless
  hopeful hostile humble hungry ideal identical immediate immense incredible industrial inevitable
  informal initial innocent intelligent intense internal invisible jealous joint junior keen latest
  lazy leading liberal limited literary live lively logical loose lovely loyal mad magic male manual
  marine married massive mature maximum mean mere mild minimum minor missing mobile moderate modest
  moral multiple musical mutual mysterious naked nasty neat negative nervous neutral noisy nuclear
  odd official online only operational opposite optional ordinary organic outdoor overall painful pale
  parallel partial passive patient peaceful permanent plain plastic pleased polite poor positive potential
  powerful practical precious precise pregnant present pretty primary prime principal prior probable
  professional profound prominent promising proper proud psychological raw realistic reasonable regular
  relative relevant reliable reluctant remaining remarkable remote representative residential respectable
  rigid risky romantic rotten royal rural sad satisfied scared secondary secret secure senior sensible
  sensitive separate severe sexual shallow shocked silent sincere skilled slight slim sole solid sophisticated
  sore spare spiritual splendid stable steady steep sticky stiff strict striking stuck substantial subtle
  sufficient suitable super superb superior supreme surprised suspicious swift technical temporary tender
  tense thick thirsty thorough tight tough tragic tremendous tropical typical ultimate unable unaware
  uncertain unexpected unfair unhappy uniform unique universal unknown upset urban urgent useless valid
  valuable vast verbal vertical violent virtual visible visual vital vivid voluntary vulnerable weak
  wealthy weekly weird welcome western wicked willing wooden worried worthy written yellow
`);

export const ADVERBS = words(`
  again ever also very just still even never always often really almost perhaps quite rather probably
  certainly actually simply finally suddenly quickly slowly carefully easily clearly nearly exactly
  completely entirely especially particularly generally usually recently immediately directly
  seriously absolutely obviously apparently fortunately unfortunately honestly truly hardly merely
  abroad accordingly afterwards ahead alike aloud anywhere apart aside awhile barely beforehand
  briefly constantly correctly currently deeply definitely deliberately differently downstairs eagerly
  effectively elsewhere equally eventually evidently exceedingly extremely fairly firmly forever forth
  formerly frankly freely frequently fully gently gladly gradually greatly happily heavily highly
  hopefully hugely increasingly indoors initially instantly largely lately likewise loudly mainly
  meanwhile mostly naturally neatly necessarily newly nowadays nowhere occasionally officially openly
  originally outside overseas partly patiently personally physically plainly politely possibly
  precisely presently previously primarily promptly properly purely quietly rapidly readily regularly
  relatively repeatedly roughly sadly scarcely secretly sharply shortly silently slightly smoothly softly
  somehow somewhat somewhere specifically steadily strictly strongly subsequently successfully sufficiently
  surely swiftly terribly thoroughly tightly typically ultimately upstairs utterly warmly widely wildly
`);

export const NAMES = words(`
  tom mary john james george william henry charles thomas david michael robert richard peter paul mark
  anna elizabeth jane emma alice sarah susan margaret helen catherine lucy ann emily
  america england london paris france germany europe washington york china japan india africa rome
  ireland scotland russia canada mexico texas california boston chicago jesus
`);
