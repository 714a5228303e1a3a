/**
 * A byte-level BPE tokenizer in RoBERTa's layout (ModernBERT, gte and others share its byte-level
 * scheme): every byte has a printable stand-in character, `Ġ` marks a leading space, merges join pairs
 * by rank, and a sequence is <s> text </s>. The merges are hand-made from the tiny model's word list,
 * so the vocabulary stays small while whole common words still become one piece.
 */
import { COMMON_WORDS, SUFFIXES } from './tiny-vocabulary.js';

/** RoBERTa's special tokens and ids: <s> 0, <pad> 1, </s> 2, <unk> 3, and <mask> last. */
const SPECIAL = ['<s>', '<pad>', '</s>', '<unk>'] as const;
const MASK = '<mask>';

/**
 * GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others (space, controls, ...)
 * for characters from 256 upwards, so that a space becomes `Ġ` (U+0120).
 */
export function byteStandIns(): string[] {
  const printable = [
    ...Array.from({ length: 94 }, (_, i) => i + 33),
    ...Array.from({ length: 12 }, (_, i) => i + 161),
    ...Array.from({ length: 82 }, (_, i) => i + 174),
  ];
  const standIns: string[] = new Array(256);
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    standIns[byte] = String.fromCharCode(printable.includes(byte) ? byte : next++);
  }
  return standIns;
}

interface ByteBpe {
  vocabulary: string[];
  merges: Array<[string, string]>;
}

/** Each word, after a space and alone, merged left to right one byte at a time; ranks in order of first use. */
function buildByteBpe(): ByteBpe {
  const standIns = byteStandIns();
  const vocabulary = new Set<string>([...SPECIAL, ...standIns]);
  const merges = new Map<string, [string, string]>();
  const words = [...COMMON_WORDS.trim().split(/\s+/), ...SUFFIXES];
  for (const word of words) {
    for (const spelled of [` ${word}`, word]) {
      const symbols = Array.from(new TextEncoder().encode(spelled), (byte) => standIns[byte]!);
      let piece = symbols[0]!;
      for (const symbol of symbols.slice(1)) {
        const key = `${piece} ${symbol}`;
        if (!merges.has(key)) merges.set(key, [piece, symbol]);
        piece += symbol;
        vocabulary.add(piece);
      }
    }
  }
  vocabulary.add(MASK);
  return { vocabulary: [...vocabulary], merges: [...merges.values()] };
}

export const BYTE_BPE: ByteBpe = buildByteBpe();

const idOf = (token: string): number => BYTE_BPE.vocabulary.indexOf(token);

export function byteBpeTokenizerJson(): object {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...SPECIAL, MASK].map((content) => ({
      id: idOf(content),
      content,
      single_word: false,
      lstrip: content === MASK,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['</s>', idOf('</s>')],
      cls: ['<s>', idOf('<s>')],
      trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(BYTE_BPE.vocabulary.map((token, id) => [token, id])),
      merges: BYTE_BPE.merges,
    },
  };
}

export const BYTE_BPE_SPECIAL_TOKENS_MAP = {
  bos_token: '<s>',
  cls_token: '<s>',
  eos_token: '</s>',
  mask_token: MASK,
  pad_token: '<pad>',
  sep_token: '</s>',
  unk_token: '<unk>',
};

export function byteBpeTokenizerConfig(modelMaxLength: number): object {
  return {
    ...BYTE_BPE_SPECIAL_TOKENS_MAP,
    add_prefix_space: false,
    clean_up_tokenization_spaces: true,
    model_max_length: modelMaxLength,
    tokenizer_class: 'RobertaTokenizer',
  };
}
