/**
 * A text cut into pieces for the window search: the places a chunk may start or end (cuts), how good
 * each is as an end (a sentence end, a space, the inside of a word), and the tokens before each cut.
 * Each piece is tokenized alone, once, so a window's length is a difference of two sums instead of a
 * tokenization of the window; the window search verifies that estimate on the chunk it keeps.
 */
import type { TokenCounter } from './chunk-types.js';

/** How good a cut is as a chunk's end, best last. */
export const CUT_IN_WORD = 0;
export const CUT_AT_SPACE = 1;
export const CUT_AT_SENTENCE = 2;

export interface Pieces {
  /** UTF-16 offsets where a chunk may start or end, increasing: the first is 0, the last the text's length. */
  cuts: number[];
  /** The kind of each cut (CUT_*); the first and last are the text's ends. */
  kinds: Uint8Array;
  /** Estimated tokens of the text before each cut, without special tokens. */
  tokensBefore: Float64Array;
}

// A word and the whitespace before it, cut at the word's end: the whitespace's tokens (SentencePiece's
// ▁, byte-level BPE's Ġ) belong to the word that follows it, so each piece reads as it does in the text,
// and a chunk ends with a word and never pays for whitespace after it.
const WORD = /\s*\S+/g;
// A word that ends a sentence: its mark, then closing quotes or brackets.
const SENTENCE_END = /[.!?…。！？][)"'\]»”’]*$/u;
// Whitespace after a word that ends a paragraph, and so a sentence.
const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;
// Marks that end a sentence in scripts written without spaces: a cut may follow them inside a "word".
const CLOSING_MARKS = /[。！？]+/g;
const HAS_CLOSING_MARK = /[。！？]/;
// The longest piece counted whole (UTF-16 units); a longer one is counted part by part.
const WHOLE_PIECE_LIMIT = 4096;

/**
 * The text's pieces. A piece longer than `maxPieceCodePoints` is cut inside (never between the two
 * halves of a surrogate pair), which bounds the cost of counting it; CJK sentence marks are cuts too.
 */
export function cutPieces(text: string, maxPieceCodePoints: number, counter: TokenCounter): Pieces {
  const cuts: number[] = [0];
  const kinds: number[] = [CUT_AT_SENTENCE];
  const tokens: number[] = [];
  const countPiece = cachedCounter(counter);
  let end = 0;
  for (const match of text.matchAll(WORD)) {
    const start = match.index ?? 0;
    const piece = match[0];
    end = start + piece.length;
    // Whitespace that ends a paragraph makes the word before it a sentence end.
    if (kinds.length > 1 && PARAGRAPH_BREAK.test(piece)) kinds[kinds.length - 1] = CUT_AT_SENTENCE;
    const parts = pieceParts(piece, maxPieceCodePoints);
    // A long word is counted whole when it is not too long to, its tokens spread over its parts by
    // length: its parts alone may count far more (WordPiece reads a word over 100 characters as one [UNK]).
    const wholeTokens = parts.length > 1 && piece.length <= WHOLE_PIECE_LIMIT ? countPiece(piece) : undefined;
    for (const part of parts) {
      if (part.offset > 0) {
        cuts.push(start + part.offset);
        kinds.push(part.afterMark ? CUT_AT_SENTENCE : CUT_IN_WORD);
      }
      tokens.push(wholeTokens === undefined ? countPiece(part.text) : (wholeTokens * part.text.length) / piece.length);
    }
    cuts.push(end);
    kinds.push(SENTENCE_END.test(piece) ? CUT_AT_SENTENCE : CUT_AT_SPACE);
  }
  if (end < text.length) {
    // Whitespace after the last word is the last piece's; whitespace alone is cut into pieces of it.
    const rest = text.slice(end);
    if (tokens.length > 0) {
      tokens[tokens.length - 1]! += countPiece(rest);
      cuts[cuts.length - 1] = text.length;
    } else {
      for (const part of pieceParts(rest, maxPieceCodePoints)) {
        if (part.offset > 0) {
          cuts.push(part.offset);
          kinds.push(CUT_IN_WORD);
        }
        tokens.push(countPiece(part.text));
      }
      cuts.push(text.length);
      kinds.push(CUT_AT_SENTENCE);
    }
  }
  kinds[kinds.length - 1] = CUT_AT_SENTENCE;
  const tokensBefore = new Float64Array(cuts.length);
  for (let i = 0; i < tokens.length; i++) tokensBefore[i + 1] = tokensBefore[i]! + tokens[i]!;
  return { cuts, kinds: Uint8Array.from(kinds), tokensBefore };
}

interface WordPart {
  text: string;
  /** UTF-16 offset in the word. */
  offset: number;
  /** The part follows a sentence mark of a script without spaces. */
  afterMark: boolean;
}

/** A piece cut after its CJK sentence marks, then every `maxCodePoints` code points. */
function pieceParts(word: string, maxCodePoints: number): WordPart[] {
  if (word.length <= maxCodePoints && !HAS_CLOSING_MARK.test(word)) return [{ text: word, offset: 0, afterMark: false }];
  const parts: WordPart[] = [];
  let start = 0;
  let afterMark = false;
  const addUpTo = (end: number) => {
    let partStart = start;
    let codePoints = 0;
    for (let i = start; i < end; i += codeUnitsAt(word, i)) {
      if (codePoints === maxCodePoints) {
        parts.push({ text: word.slice(partStart, i), offset: partStart, afterMark: partStart === start && afterMark });
        partStart = i;
        codePoints = 0;
      }
      codePoints++;
    }
    if (end > partStart) parts.push({ text: word.slice(partStart, end), offset: partStart, afterMark: partStart === start && afterMark });
    start = end;
  };
  for (const mark of word.matchAll(CLOSING_MARKS)) {
    const end = (mark.index ?? 0) + mark[0].length;
    if (end >= word.length) break;
    addUpTo(end);
    afterMark = true;
  }
  addUpTo(word.length);
  return parts;
}

/** 2 where a surrogate pair starts, else 1. */
export function codeUnitsAt(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
    const next = text.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 2;
  }
  return 1;
}

// Words repeat: each counter keeps the counts of the pieces it has seen, up to a bound.
const CACHE_LIMIT = 100_000;
const caches = new WeakMap<TokenCounter, Map<string, number>>();

function cachedCounter(counter: TokenCounter): (piece: string) => number {
  let cache = caches.get(counter);
  if (!cache) {
    cache = new Map();
    caches.set(counter, cache);
  }
  const known = cache;
  return (piece) => {
    let count = known.get(piece);
    if (count === undefined) {
      count = counter.countPlain(piece);
      if (known.size >= CACHE_LIMIT) known.clear();
      known.set(piece, count);
    }
    return count;
  };
}
