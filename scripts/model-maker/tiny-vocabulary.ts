/**
 * The tiny model's own WordPiece vocabulary and tokenizer files, in the Hugging Face layout that
 * transformers.js reads. Small enough to keep the embedding table tiny, large enough that ordinary English
 * mostly maps to whole words instead of letters.
 */

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

const LETTERS_AND_DIGITS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

const COMMON_WORDS = `
  the of and to in is was he for it with as his on be at by i this had not are but from or have an they
  which one you were her all she there would their we him been has when who will more no if out so said
  what up its about into than them can only other new some could time these two may then do first any my
  now such like our over man me even most made after also did many before must through back years where
  much your way well down should because each just those people how too little state good very make world
  still own see men work long get here between both life being under never day same another know while
  last might us great old year off come since against go came right used take three states himself few
  house use during without again place american around however home small found thought went say part
  once general high upon school every does got united left number course war until always away something
  fact though water less public put think almost hand enough far took head yet government system better
  set told nothing night end why called eyes find going look asked later knew point next city give
  group young let room president side social given present several order national possible rather second
  face per among form important often things looked early white case john become large big need four
  within felt along children saw best church ever least power development light thing seemed family
  interest want members mind country area others done turned although open god service certain kind
  problem began different door thus help sense means whole matter perhaps itself york times law human
  line above name example action company hands local show whether five history gave today either act
  feet across taken past quite anything seen having death week experience body word half really field
  hello world data table row rows column query database model embedding vector text sentence search
  index user users name email city price product order date test tests value values small large
`;

const SUFFIXES = [
  's', 'es', 'ed', 'ing', 'ly', 'er', 'ers', 'est', 'ion', 'tion', 'ment', 'ness', 'able', 'ful', 'less',
  'al', 'ity', 'ize', 'y', 'en',
];

function buildVocabulary(): string[] {
  // A Set, so that a token listed twice keeps its first id.
  const tokens = new Set<string>(SPECIAL_TOKENS);
  for (const c of [...LETTERS_AND_DIGITS, ...PUNCTUATION]) tokens.add(c);
  // Only letters and digits get '##' forms: the BERT pre-tokenizer always splits punctuation off into a
  // word of its own, so a '##' punctuation piece could never be used.
  for (const c of LETTERS_AND_DIGITS) tokens.add(`##${c}`);
  for (const word of COMMON_WORDS.trim().split(/\s+/)) tokens.add(word);
  for (const suffix of SUFFIXES) tokens.add(`##${suffix}`);
  return [...tokens];
}

export const TINY_VOCABULARY: readonly string[] = buildVocabulary();

const tokenId = (token: string): number => TINY_VOCABULARY.indexOf(token);

const specialToken = (content: string) => ({
  id: tokenId(content),
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
});

const templatePiece = (kind: 'SpecialToken' | 'Sequence', id: string, typeId: number) => ({
  [kind]: { id, type_id: typeId },
});

/** tokenizer.json in the format of the Hugging Face tokenizers library (what BertTokenizerFast saves). */
export function tinyTokenizerJson(): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(specialToken),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        templatePiece('SpecialToken', '[CLS]', 0),
        templatePiece('Sequence', 'A', 0),
        templatePiece('SpecialToken', '[SEP]', 0),
      ],
      pair: [
        templatePiece('SpecialToken', '[CLS]', 0),
        templatePiece('Sequence', 'A', 0),
        templatePiece('SpecialToken', '[SEP]', 0),
        templatePiece('Sequence', 'B', 1),
        templatePiece('SpecialToken', '[SEP]', 1),
      ],
      special_tokens: Object.fromEntries(
        (['[CLS]', '[SEP]'] as const).map((t) => [t, { id: t, ids: [tokenId(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(TINY_VOCABULARY.map((token, id) => [token, id])),
    },
  };
}

export function tinyTokenizerConfig(modelMaxLength: number): object {
  return {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: modelMaxLength,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  };
}

export const SPECIAL_TOKENS_MAP = {
  cls_token: '[CLS]',
  mask_token: '[MASK]',
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  unk_token: '[UNK]',
};

export const tinyVocabTxt = (): string => `${TINY_VOCABULARY.join('\n')}\n`;
