/**
 * Learns an uncased WordPiece vocabulary the way the tokenizers library's WordPiece trainer does: text is
 * split into words exactly as BertNormalizer and BertPreTokenizer split it, each word starts as its
 * characters (a character inside a word written '##c'), and the most frequent adjacent pair of pieces
 * becomes a new piece, again and again, until the vocabulary is full or no pair occurs twice. The special
 * tokens sit at BERT's own ids, so a model generated with it takes the ids a real BERT tokenizer gives.
 */
import { SPECIAL_TOKENS } from './bert-tokenizer-files.js';

/** bert-base-uncased's vocabulary size, which all-MiniLM-L6-v2 keeps. */
export const BERT_VOCABULARY_SIZE = 30522;

/** BertPreTokenizer's punctuation: Unicode punctuation plus all ASCII symbols. */
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORD_OR_PUNCTUATION = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
const IS_PUNCTUATION = new RegExp(`^[${PUNCTUATION}]$`, 'u');
const CONTROL = /^(?:\p{Cc}|\p{Cf}|\p{Co}|\p{Cs})$/u;
/** A word longer than this is one [UNK] for the tokenizer, so it teaches nothing. */
const MAX_WORD_CHARS = 100;
/** Pairs seen once are noise, as in the tokenizers library's default for BERT. */
const MIN_PAIR_COUNT = 2;

const isCjk = (cp: number): boolean => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);

/** BertNormalizer with clean_text, handle_chinese_chars and lowercase (which strips accents). */
function normalise(text: string): string {
  let out = '';
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || (char !== '\t' && char !== '\n' && char !== '\r' && CONTROL.test(char))) continue;
    if (/^\s$/u.test(char)) out += ' ';
    else if (isCjk(cp)) out += ` ${char} `;
    else out += char;
  }
  return out
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '');
}

/** The words BERT's uncased tokenizer sees in a text, before WordPiece splits them. */
export function bertWords(text: string): string[] {
  return normalise(text).trim().match(WORD_OR_PUNCTUATION) ?? [];
}

/** [PAD] 0, [unused0]-[unused98] 1-99, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103: BERT's layout. */
function bertSpecialLayout(): string[] {
  const [pad, ...rest] = SPECIAL_TOKENS;
  return [pad, ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), ...rest];
}

const codePoints = (from: number, to: number): string => String.fromCodePoint(...Array.from({ length: to - from + 1 }, (_, i) => from + i));

/**
 * Characters that are always in the vocabulary, as the tokenizer sees them (lower case, no accents),
 * whether the text has them or not: a word with one character missing from the vocabulary is one [UNK].
 * ASCII, Latin-1 and Latin Extended-A, basic Greek and Cyrillic, dashes, quotes, currency signs.
 */
const BASE_ALPHABET: readonly string[] = [
  ...new Set(
    normalise(
      codePoints(0x21, 0x7e) +
        codePoints(0xa1, 0x17f) +
        codePoints(0x391, 0x3c9) +
        codePoints(0x410, 0x44f) +
        codePoints(0x2010, 0x2027) +
        codePoints(0x2030, 0x205e) +
        codePoints(0x20a0, 0x20bf) +
        codePoints(0x2212, 0x2212),
    ).replace(/\s/gu, ''),
  ),
];

export interface LearnedVocabulary {
  /** All pieces, id = index, exactly `size` of them. */
  pieces: string[];
  /** How many pieces came from the text (characters and merges); the rest are [unusedN] fillers. */
  learned: number;
}

/** Word counts of a text source, one text per item. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of bertWords(text)) {
      if (word.length <= MAX_WORD_CHARS) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

/** A max-heap of (count, pair) with stale entries skipped on the way out. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly pairs: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, pair: number): void {
    this.counts.push(count);
    this.pairs.push(pair);
    let i = this.counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [count: number, pair: number] {
    const top: [number, number] = [this.counts[0]!, this.pairs[0]!];
    const lastCount = this.counts.pop()!;
    const lastPair = this.pairs.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.pairs[0] = lastPair;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < this.counts.length && this.before(left, best)) best = left;
        if (right < this.counts.length && this.before(right, best)) best = right;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  /** Higher count first; on a tie the smaller pair key, so that the result never depends on timing. */
  private before(a: number, b: number): boolean {
    return this.counts[a]! > this.counts[b]! || (this.counts[a] === this.counts[b] && this.pairs[a]! < this.pairs[b]!);
  }

  private swap(a: number, b: number): void {
    [this.counts[a], this.counts[b]] = [this.counts[b]!, this.counts[a]!];
    [this.pairs[a], this.pairs[b]] = [this.pairs[b]!, this.pairs[a]!];
  }
}

/** Pair keys pack two piece ids, each below 2^16 (the vocabulary is smaller than that). */
const PAIR_BASE = 65536;
const pairKey = (a: number, b: number): number => a * PAIR_BASE + b;

export function learnWordPieceVocabulary(wordCounts: Map<string, number>, size = BERT_VOCABULARY_SIZE): LearnedVocabulary {
  const pieces = bertSpecialLayout();
  const ids = new Map(pieces.map((piece, id) => [piece, id]));
  const fixed = pieces.length;
  const add = (piece: string): number => {
    let id = ids.get(piece);
    if (id === undefined) {
      id = pieces.length;
      pieces.push(piece);
      ids.set(piece, id);
    }
    return id;
  };

  // The alphabet: every character, and its '##' form wherever it can continue a word.
  const sortedWords = [...wordCounts.keys()].sort();
  const alphabet = new Set(BASE_ALPHABET);
  for (const word of sortedWords) for (const char of word) alphabet.add(char);
  for (const char of [...alphabet].sort()) add(char);
  for (const char of [...alphabet].sort()) if (!IS_PUNCTUATION.test(char)) add(`##${char}`);
  if (pieces.length > size) throw new Error(`the text has ${alphabet.size} distinct characters, too many for ${size} pieces`);

  const words = sortedWords.map((word) => ({
    pieces: [...word].map((char, i) => ids.get(i === 0 ? char : `##${char}`)!),
    count: wordCounts.get(word)!,
  }));
  const pairCounts = new Map<number, number>();
  const wordsWithPair = new Map<number, Set<number>>();
  const countPairs = (w: number, sign: 1 | -1): void => {
    const { pieces: p, count } = words[w]!;
    for (let i = 0; i + 1 < p.length; i++) {
      const key = pairKey(p[i]!, p[i + 1]!);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count);
      if (sign > 0) {
        let holders = wordsWithPair.get(key);
        if (holders === undefined) {
          holders = new Set();
          wordsWithPair.set(key, holders);
        }
        holders.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) countPairs(w, 1);
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) if (count >= MIN_PAIR_COUNT) heap.push(count, key);

  while (pieces.length < size && heap.size > 0) {
    const [count, key] = heap.pop();
    const current = pairCounts.get(key) ?? 0;
    if (current !== count) {
      if (current >= MIN_PAIR_COUNT) heap.push(current, key);
      continue;
    }
    const a = Math.floor(key / PAIR_BASE);
    const b = key % PAIR_BASE;
    const merged = add(pieces[a]! + pieces[b]!.replace(/^##/, ''));
    const touched = new Set<number>();
    for (const w of wordsWithPair.get(key) ?? []) {
      countPairs(w, -1);
      const before = words[w]!.pieces;
      const after: number[] = [];
      for (let i = 0; i < before.length; i++) {
        if (i + 1 < before.length && before[i] === a && before[i + 1] === b) {
          after.push(merged);
          i++;
        } else {
          after.push(before[i]!);
        }
      }
      words[w]!.pieces = after;
      countPairs(w, 1);
      for (let i = 0; i + 1 < after.length; i++) touched.add(pairKey(after[i]!, after[i + 1]!));
    }
    wordsWithPair.delete(key);
    pairCounts.delete(key);
    for (const pair of touched) {
      const n = pairCounts.get(pair)!;
      if (n >= MIN_PAIR_COUNT) heap.push(n, pair);
    }
  }

  const learned = pieces.length - fixed;
  // Text too small to fill the vocabulary: the rest are unused slots, as BERT's own vocabulary has.
  for (let n = 99; pieces.length < size; n++) add(`[unused${n}]`);
  return { pieces, learned };
}
