/**
 * The window search behind chunkText: spans of the text (UTF-16 offsets) that each fit in a window.
 * A window's length is estimated from the pieces' token sums (chunk-pieces.ts), its end chosen by the
 * best cut the estimate allows, and the span kept is counted exactly, prompt and special tokens
 * included; when a tokenizer is not additive and the exact count is over, the window shrinks by the
 * excess and is counted again.
 */
import type { ChunkWindow, TokenCounter } from './chunk-types.js';
import { CUT_AT_SENTENCE, CUT_AT_SPACE, CUT_IN_WORD, codeUnitsAt, cutPieces, type Pieces } from './chunk-pieces.js';

export interface Span {
  start: number;
  end: number;
  /** Exact tokens of the prompt and the span, special tokens included. */
  tokens: number;
}

interface WindowEnd {
  cut: number;
  tokens: number;
}

// A longer "word" (a URL, a run of CJK) is cut into pieces of this many code points: it gives the
// window search places to end inside such a word, and keeps each piece cheap to count (a tokenizer may
// take far longer on one long word it cannot match than on many short ones).
const MAX_PIECE_CODE_POINTS = 16;
// How far past an estimated window's reach to look for the end of the word it would cut: a word's
// pieces may count more tokens than the word (WordPiece reads a word over 100 characters as one [UNK]).
const WORD_END_LOOKAHEAD = 64;

export class WindowSearch {
  private readonly fixedTokens: number;
  /** Tokens a window holds beside the prompt and the special tokens. */
  private readonly room: number;
  private readonly pieces: Pieces;
  private readonly lastCut: number;

  constructor(
    private readonly text: string,
    private readonly prompt: string,
    private readonly window: ChunkWindow,
    private readonly counter: TokenCounter,
  ) {
    this.fixedTokens = counter.count(prompt);
    this.room = Math.max(1, window.tokens - this.fixedTokens);
    this.pieces = cutPieces(text, MAX_PIECE_CODE_POINTS, counter);
    this.lastCut = this.pieces.cuts.length - 1;
  }

  spans(): Span[] {
    const { cuts, tokensBefore } = this.pieces;
    const last = this.lastCut;
    // A text that fits is one chunk, whatever the estimate says.
    if (tokensBefore[last]! <= 2 * this.room) {
      const tokens = this.exact(0, this.text.length);
      if (tokens <= this.window.tokens) return [{ start: 0, end: this.text.length, tokens }];
    }
    const spans: Span[] = [];
    // The window starts at `start`, inside the piece that begins at cut `at`, and ends past cut `after`.
    let start = 0;
    let at = 0;
    let after = 0;
    for (;;) {
      let end = this.windowEnd(start, at, after);
      if (!end && start < cuts[after]!) {
        // The overlap left no room to pass the previous end: start at that end instead.
        start = cuts[after]!;
        at = after;
        end = this.windowEnd(start, at, after);
      }
      if (!end) {
        // One piece alone is too long for the window: cut it between code points, with no overlap.
        const span = this.inPieceSpan(start, cuts[at + 1]!);
        spans.push(span);
        start = span.end;
        if (start === cuts[at + 1]) at++;
        if (at === last) return spans;
        after = at;
        continue;
      }
      spans.push({ start, end: cuts[end.cut]!, tokens: end.tokens });
      if (end.cut === last) return spans;
      at = this.overlapStart(at, end.cut);
      start = cuts[at]!;
      after = end.cut;
    }
  }

  /** The end of the window starting at `start` (in piece `at`), past cut `after`; undefined if none fits. */
  private windowEnd(start: number, at: number, after: number): WindowEnd | undefined {
    const { cuts, kinds, tokensBefore } = this.pieces;
    const lowest = Math.max(at, after) + 1;
    // Estimated tokens before `start`: a start inside a piece counts only the piece's rest.
    const origin =
      start === cuts[at] ? tokensBefore[at]! : tokensBefore[at + 1]! - this.counter.countPlain(this.text.slice(start, cuts[at + 1]));
    let room = this.room;
    for (;;) {
      const reach = this.lastCutWithin(at, origin + room);
      if (reach < lowest) return this.wordEndFrom(start, lowest);
      const cut = this.preferredEnd(lowest, reach);
      const tokens = this.exact(start, cuts[cut]!);
      if (tokens <= this.window.tokens) return (kinds[cut] === CUT_IN_WORD && this.wordEndFrom(start, cut + 1)) || { cut, tokens };
      const estimated = tokensBefore[cut]! - origin;
      room = Math.min(room - 1, estimated - (tokens - this.window.tokens));
    }
  }

  /**
   * The end of the word that goes on at cut `from`, when the window holds the text to it: a word's pieces
   * may count more tokens than the word (WordPiece reads a word over 100 characters as one [UNK]).
   */
  private wordEndFrom(start: number, from: number): WindowEnd | undefined {
    const { cuts, kinds } = this.pieces;
    const furthest = Math.min(this.lastCut, from + WORD_END_LOOKAHEAD);
    for (let cut = from; cut <= furthest; cut++) {
      if (kinds[cut] === CUT_IN_WORD) continue;
      const tokens = this.exact(start, cuts[cut]!);
      return tokens <= this.window.tokens ? { cut, tokens } : undefined;
    }
    return undefined;
  }

  /** The last cut after cut `at` with at most `limit` tokens estimated before it; `at` when none. */
  private lastCutWithin(at: number, limit: number): number {
    const { tokensBefore } = this.pieces;
    let low = at;
    let high = this.lastCut;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (tokensBefore[middle]! <= limit) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** The text's end, else the last sentence end, else the last space, else the furthest cut. */
  private preferredEnd(lowest: number, reach: number): number {
    if (reach === this.lastCut) return reach;
    const { kinds } = this.pieces;
    for (const kind of [CUT_AT_SENTENCE, CUT_AT_SPACE]) {
      for (let cut = reach; cut >= lowest; cut--) if (kinds[cut] === kind) return cut;
    }
    return reach;
  }

  /**
   * Where the next window starts: the earliest cut after `at` whose text to `end` is estimated at no more
   * than the overlap, at a space or sentence end when the overlap holds one; `end` when none is.
   */
  private overlapStart(at: number, end: number): number {
    const { kinds, tokensBefore } = this.pieces;
    let low = at + 1;
    let high = end;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (tokensBefore[end]! - tokensBefore[middle]! <= this.window.overlap) high = middle;
      else low = middle + 1;
    }
    for (let cut = low; cut < end; cut++) if (kinds[cut] !== CUT_IN_WORD) return cut;
    return low;
  }

  /** The longest span from `start` that fits, ending between code points up to `limit`; one code point at least. */
  private inPieceSpan(start: number, limit: number): Span {
    const ends: number[] = [];
    for (let i = start + codeUnitsAt(this.text, start); i < limit; i += codeUnitsAt(this.text, i)) ends.push(i);
    ends.push(limit);
    let low = 0;
    let high = ends.length - 1;
    let tokens = this.exact(start, ends[0]!);
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const count = this.exact(start, ends[middle]!);
      if (count <= this.window.tokens) {
        low = middle;
        tokens = count;
      } else {
        high = middle - 1;
      }
    }
    return { start, end: ends[low]!, tokens };
  }

  private exact(start: number, end: number): number {
    return this.counter.count(this.prompt + this.text.slice(start, end));
  }
}
