/**
 * Common English words by kind, roughly most frequent first within each list: what generated-english.ts
 * draws from so that a vocabulary learned from its text splits English words about as a real BERT
 * vocabulary does. Irregular verbs are written `base:past:participle`.
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
`);

export const ADVERBS = words(`
  again ever also very just still even never always often really almost perhaps quite rather probably
  certainly actually simply finally suddenly quickly slowly carefully easily clearly nearly exactly
  completely entirely especially particularly generally usually recently immediately directly
  seriously absolutely obviously apparently fortunately unfortunately honestly truly hardly merely
`);

export const NAMES = words(`
  tom mary john james george william henry charles thomas david michael robert richard peter paul mark
  anna elizabeth jane emma alice sarah susan margaret helen catherine lucy ann emily
  america england london paris france germany europe washington york china japan india africa rome
  ireland scotland russia canada mexico texas california boston chicago jesus
`);
