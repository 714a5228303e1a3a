/**
 * A SentencePiece Unigram tokenizer in XLM-RoBERTa's layout (multilingual-e5, bge-m3): <s> text </s>,
 * `▁` marking the start of a word, pieces chosen by their log-probability scores. The vocabulary is
 * hand-made and small (the tiny model's word list), so a test model stays tiny; what matters is that the
 * tokenizer runs the Unigram code path and closes a sequence with </s>, not [SEP].
 */
import { COMMON_WORDS, LETTERS_AND_DIGITS, PUNCTUATION, SUFFIXES } from './tiny-vocabulary.js';

/** XLM-R's special tokens and ids: <s> 0, <pad> 1, </s> 2, <unk> 3, and <mask> last. */
const SPECIAL = ['<s>', '<pad>', '</s>', '<unk>'] as const;
const MASK = '<mask>';
const WORD_START = '\u2581';

/** [piece, score] in id order; a likelier piece has a higher (less negative) score. */
function buildPieces(): Array<[string, number]> {
  const pieces = new Map<string, number>(SPECIAL.map((token) => [token, 0]));
  const add = (piece: string, score: number) => {
    if (!pieces.has(piece)) pieces.set(piece, score);
  };
  add(WORD_START, -3);
  const words = COMMON_WORDS.trim().split(/\s+/);
  for (const [rank, word] of words.entries()) add(`${WORD_START}${word}`, -4 - rank / 100);
  for (const suffix of SUFFIXES) add(suffix, -9);
  // Single characters, alone and starting a word, so that any text made of them has a segmentation;
  // capitals too, since SentencePiece vocabularies are cased.
  const letters = [...LETTERS_AND_DIGITS, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ...PUNCTUATION];
  for (const c of letters) add(c, -12);
  for (const c of letters) add(`${WORD_START}${c}`, -12.5);
  add(MASK, 0);
  return [...pieces];
}

export const UNIGRAM_PIECES: ReadonlyArray<[string, number]> = buildPieces();

const idOf = (token: string): number => UNIGRAM_PIECES.findIndex(([piece]) => piece === token);

const addedToken = (content: string) => ({
  id: idOf(content),
  content,
  single_word: false,
  lstrip: content === MASK,
  rstrip: false,
  normalized: false,
  special: true,
});

export function unigramTokenizerJson(): object {
  const metaspace = { type: 'Metaspace', replacement: WORD_START, prepend_scheme: 'always', split: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIAL, MASK].map(addedToken),
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFKC' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: Object.fromEntries(['<s>', '</s>'].map((t) => [t, { id: t, ids: [idOf(t)], tokens: [t] }])),
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: idOf('<unk>'), vocab: UNIGRAM_PIECES, byte_fallback: false },
  };
}

export const SENTENCEPIECE_SPECIAL_TOKENS_MAP = {
  bos_token: '<s>',
  cls_token: '<s>',
  eos_token: '</s>',
  mask_token: MASK,
  pad_token: '<pad>',
  sep_token: '</s>',
  unk_token: '<unk>',
};

export function unigramTokenizerConfig(modelMaxLength: number): object {
  return {
    ...SENTENCEPIECE_SPECIAL_TOKENS_MAP,
    clean_up_tokenization_spaces: true,
    model_max_length: modelMaxLength,
    tokenizer_class: 'XLMRobertaTokenizer',
  };
}
