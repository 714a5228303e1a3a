// Longer than 250 lines because the chunker's guarantees are properties checked over generated texts with
// three real tokenizers (WordPiece, SentencePiece Unigram, byte-level BPE), each with its own helpers here.
import { describe, expect, inject, it } from 'vitest';
import { ensureModel } from '../../dist/scripts/make-model.js';
import { SeededRandom } from '../../dist/scripts/model-maker/seeded-random.js';
import { syntheticSentences } from '../../dist/scripts/synthetic-text.js';
import { chunkWindowProblem } from '../../dist/common/chunk-window.js';
import { type Chunk, type ChunkWindow, chunkText, type TokenCounter } from '../../dist/workers/chunker.js';
import { TextTokenizer } from '../../dist/workers/text-tokenizer.js';
import { proseText, wildText } from '../helpers/document-texts.js';

const TINY_MAX_LENGTH = 128;
const PROMPTS = ['', 'query: ', 'Represent this passage for retrieval: '];
const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
const SENTENCE_WORD_END = /[.!?…。！？][)"'\]»”’]*$/u;
const CJK_MARK = /[。！？]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

async function tokenizer(name: 'tiny-random' | 'tiny-unigram' | 'tiny-bpe'): Promise<TextTokenizer> {
  const folder = name === 'tiny-random' ? inject('tinyModelDir') : await ensureModel(name);
  return TextTokenizer.load(folder, TINY_MAX_LENGTH);
}

/** A window valid for the prompt, drawn at random: TOKENS from 16 to 128, OVERLAP under half the room. */
function randomWindow(random: SeededRandom, prompt: string, counter: TokenCounter): ChunkWindow {
  const fixed = counter.count(prompt);
  const tokens = Math.min(TINY_MAX_LENGTH, fixed + 8 + Math.floor(random.uniform() * 100));
  const room = tokens - fixed;
  const overlap = random.uniform() < 0.2 ? 0 : Math.floor(random.uniform() * (Math.ceil(room / 2) - 1));
  const window = { tokens, overlap };
  expect(chunkWindowProblem(window, counter.countPlain(prompt), counter.count(''), TINY_MAX_LENGTH)).toBeUndefined();
  return window;
}

/** Where a chunk may end at a space or a sentence end, in code points: a word's end, or after a CJK mark. */
function isWordBoundary(points: readonly string[], at: number): boolean {
  if (at <= 0 || at >= points.length) return true;
  return (
    (!isSpace(points[at - 1]) && isSpace(points[at])) ||
    (CJK_MARK.test(points[at - 1]!) && !isSpace(points[at]) && !CJK_MARK.test(points[at]!))
  );
}

/** A word's end after a sentence end (a word ending in . ! ? and closing marks, or before a blank line), or the text's end. */
function isSentenceBoundary(points: readonly string[], at: number): boolean {
  if (at >= points.length || (at > 0 && points.slice(at).every(isSpace))) return true;
  if (at <= 0 || isSpace(points[at - 1]) || !isSpace(points[at])) return false;
  let wordStart = at;
  while (wordStart < points.length && isSpace(points[wordStart])) wordStart++;
  const space = points.slice(at, wordStart).join('');
  const before = points.slice(Math.max(0, at - 8), at).join('');
  return SENTENCE_WORD_END.test(before) || /\n[^\S\n]*\n/.test(space);
}

/** The guarantees that hold for any text and tokenizer. */
function expectAnyTextGuarantees(text: string, prompt: string, window: ChunkWindow, counter: TokenCounter, chunks: Chunk[]): void {
  const points = Array.from(text);
  const context = `text ${JSON.stringify(text.slice(0, 60))}…, prompt ${JSON.stringify(prompt)}, window ${window.tokens}:${window.overlap}`;
  expect(chunks.length, context).toBeGreaterThan(0);
  expect(chunks[0]!.charStart, context).toBe(0);
  expect(chunks.at(-1)!.charEnd, context).toBe(points.length);
  chunks.forEach((chunk, i) => {
    expect(chunk.charEnd, context).toBeGreaterThan(chunk.charStart);
    expect(chunk.text, context).toBe(points.slice(chunk.charStart, chunk.charEnd).join(''));
    expect(LONE_SURROGATE.test(chunk.text), context).toBe(false);
    expect(chunk.tokenCount, context).toBe(counter.count(prompt + chunk.text));
    expect(chunk.tokenCount, context).toBeLessThanOrEqual(window.tokens);
    const previous = chunks[i - 1];
    if (previous) {
      // Consecutive chunks touch or overlap (so every character is in one), and both ends advance.
      expect(chunk.charStart, context).toBeLessThanOrEqual(previous.charEnd);
      expect(chunk.charStart, context).toBeGreaterThan(previous.charStart);
      expect(chunk.charEnd, context).toBeGreaterThan(previous.charEnd);
    }
    // A chunk ends inside a word only when the text from its start to that word's end does not fit.
    if (!isWordBoundary(points, chunk.charEnd)) {
      let wordEnd = chunk.charEnd;
      while (wordEnd < points.length && !isSpace(points[wordEnd]) && !isWordBoundary(points, wordEnd)) wordEnd++;
      const throughWord = points.slice(chunk.charStart, wordEnd).join('');
      expect(counter.count(prompt + throughWord), `${context}, chunk ${i} ends inside a word`).toBeGreaterThan(window.tokens);
    }
  });
  if (counter.count(prompt + text) <= window.tokens) expect(chunks, context).toHaveLength(1);
}

/**
 * What a tokenizer that counts additively at whitespace (WordPiece) also guarantees on prose: each chunk
 * ends at its window's last sentence end, else its last space; the text two chunks share is at most OVERLAP
 * tokens, and one word more would pass OVERLAP.
 */
function expectProseGuarantees(text: string, prompt: string, window: ChunkWindow, counter: TokenCounter, chunks: Chunk[]): void {
  const points = Array.from(text);
  const context = `text ${JSON.stringify(text.slice(0, 60))}…, prompt ${JSON.stringify(prompt)}, window ${window.tokens}:${window.overlap}`;
  chunks.forEach((chunk, i) => {
    if (i === chunks.length - 1) return;
    const previousEnd = i === 0 ? 0 : chunks[i - 1]!.charEnd;
    expect(isWordBoundary(points, chunk.charEnd), context).toBe(true);
    if (!isSentenceBoundary(points, chunk.charEnd)) {
      for (let at = Math.max(chunk.charStart, previousEnd) + 1; at < chunk.charEnd; at++) {
        expect(isSentenceBoundary(points, at), `${context}: chunk ${i} ends at a space past a sentence end at ${at}`).toBe(false);
      }
    }
    let nextSentence = chunk.charEnd + 1;
    while (!isSentenceBoundary(points, nextSentence)) nextSentence++;
    const throughNext = prompt + points.slice(chunk.charStart, nextSentence).join('');
    expect(counter.count(throughNext), `${context}: chunk ${i} stops before a sentence end that fits`).toBeGreaterThan(window.tokens);

    const next = chunks[i + 1]!;
    const shared = points.slice(next.charStart, chunk.charEnd).join('');
    if (window.overlap === 0) expect(next.charStart, context).toBe(chunk.charEnd);
    expect(counter.countPlain(shared), context).toBeLessThanOrEqual(window.overlap);
    const before = /\s*\S+$/u.exec(points.slice(chunk.charStart, next.charStart).join(''));
    if (before && before.index > 0) {
      expect(counter.countPlain(before[0] + shared), `${context}: chunk ${i + 1} could share one word more`).toBeGreaterThan(
        window.overlap,
      );
    }
  });
}

describe('chunkText with WordPiece (the tiny model)', () => {
  it('keeps every guarantee on generated prose: cover, fit, sentence ends first, overlap as asked', async () => {
    const counter = await tokenizer('tiny-random');
    const random = new SeededRandom(22);
    let chunked = 0;
    let atSentence = 0;
    let atSpace = 0;
    for (let i = 0; i < 150; i++) {
      const text = proseText(random);
      const prompt = PROMPTS[i % PROMPTS.length]!;
      const window = randomWindow(random, prompt, counter);
      const chunks = chunkText(text, prompt, window, counter);
      expectAnyTextGuarantees(text, prompt, window, counter, chunks);
      expectProseGuarantees(text, prompt, window, counter, chunks);
      const points = Array.from(text);
      if (chunks.length > 1) chunked++;
      for (const chunk of chunks.slice(0, -1)) {
        if (isSentenceBoundary(points, chunk.charEnd)) atSentence++;
        else atSpace++;
      }
    }
    // The texts exercise what the properties speak of: many are cut, at sentence ends and at spaces.
    expect(chunked).toBeGreaterThan(100);
    expect(atSentence).toBeGreaterThan(100);
    expect(atSpace).toBeGreaterThan(20);
  });

  it('keeps the guarantees for any text on emoji, CJK, odd whitespace and words longer than a window', async () => {
    const counter = await tokenizer('tiny-random');
    const random = new SeededRandom(2022);
    let inWord = 0;
    for (let i = 0; i < 150; i++) {
      const text = wildText(random);
      const prompt = PROMPTS[i % PROMPTS.length]!;
      const window = randomWindow(random, prompt, counter);
      const chunks = chunkText(text, prompt, window, counter);
      expectAnyTextGuarantees(text, prompt, window, counter, chunks);
      const points = Array.from(text);
      inWord += chunks.filter((chunk) => !isWordBoundary(points, chunk.charEnd)).length;
    }
    expect(inWord).toBeGreaterThan(10);
  });

  it('cuts a word longer than a window between code points, never inside a surrogate pair', async () => {
    const counter = await tokenizer('tiny-random');
    // An emoji (two UTF-16 units) and a hyphen, which BERT reads as a token each.
    const text = `Before. ${'😀-'.repeat(150)} after.`;
    const window = { tokens: 20, overlap: 4 };
    const chunks = chunkText(text, '', window, counter);
    expectAnyTextGuarantees(text, '', window, counter, chunks);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks[0]!.text).toBe('Before.');
  });

  it('makes one chunk of a text that fits, none of an empty text, and counts the prompt in every chunk', async () => {
    const counter = await tokenizer('tiny-random');
    const window = { tokens: 32, overlap: 4 };
    expect(chunkText('', '', window, counter)).toEqual([]);
    expect(chunkText('   ', '', window, counter)).toEqual([{ text: '   ', charStart: 0, charEnd: 3, tokenCount: 2 }]);
    const short = 'The river runs past the stone garden.';
    expect(chunkText(short, '', window, counter)).toEqual([
      { text: short, charStart: 0, charEnd: [...short].length, tokenCount: counter.count(short) },
    ]);

    const text = syntheticSentences(30).join(' ');
    const prompt = 'Represent this passage for retrieval: ';
    const plain = chunkText(text, '', window, counter);
    const prompted = chunkText(text, prompt, window, counter);
    expect(prompted.length).toBeGreaterThan(plain.length);
    for (const chunk of prompted) {
      expect(chunk.tokenCount).toBe(counter.count(prompt + chunk.text));
      expect(counter.countPlain(chunk.text)).toBeLessThanOrEqual(window.tokens - counter.count(prompt));
    }
  });

  it('chunks a 5 MB text in seconds, covering it in windows that fit', async () => {
    const counter = await tokenizer('tiny-random');
    const text = syntheticSentences(60_000).join(' ').slice(0, 5_000_000);
    const window = { tokens: 128, overlap: 16 };
    // CPU time, not wall time: other processes on a shared machine slow the clock, not the work.
    const started = process.cpuUsage();
    const chunks = chunkText(text, 'query: ', window, counter);
    const used = process.cpuUsage(started);
    const cpuSeconds = (used.user + used.system) / 1e6;
    // A few seconds of one core; the bound leaves room for a slow machine, and is far below what
    // tokenizing the text again for each window would take.
    expect(cpuSeconds).toBeLessThan(30);
    expect(chunks[0]!.charStart).toBe(0);
    expect(chunks.at(-1)!.charEnd).toBe(text.length);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]!.charStart).toBeLessThanOrEqual(chunks[i - 1]!.charEnd);
      expect(chunks[i]!.charEnd).toBeGreaterThan(chunks[i - 1]!.charEnd);
    }
    for (let i = 0; i < chunks.length; i += 97) {
      expect(chunks[i]!.text).toBe(text.slice(chunks[i]!.charStart, chunks[i]!.charEnd));
      expect(chunks[i]!.tokenCount).toBe(counter.count(`query: ${chunks[i]!.text}`));
      expect(chunks[i]!.tokenCount).toBeLessThanOrEqual(window.tokens);
    }
  });
});

describe.each(['tiny-unigram', 'tiny-bpe'] as const)('chunkText with %s', (name) => {
  it('keeps the guarantees for any text on prose and wild texts, and shares about OVERLAP tokens', async () => {
    const counter = await tokenizer(name);
    const random = new SeededRandom(7);
    let shared = 0;
    let asked = 0;
    for (let i = 0; i < 120; i++) {
      const text = i % 2 === 0 ? proseText(random) : wildText(random);
      const prompt = PROMPTS[i % PROMPTS.length]!;
      const window = randomWindow(random, prompt, counter);
      const chunks = chunkText(text, prompt, window, counter);
      expectAnyTextGuarantees(text, prompt, window, counter, chunks);
      if (i % 2 === 1) continue;
      const points = Array.from(text);
      for (let k = 1; k < chunks.length; k++) {
        const overlap = counter.countPlain(points.slice(chunks[k]!.charStart, chunks[k - 1]!.charEnd).join(''));
        // These tokenizers are not additive at spaces: a shared text may read a token or two more.
        expect(overlap).toBeLessThanOrEqual(window.overlap + 2);
        shared += overlap;
        asked += window.overlap;
      }
    }
    expect(shared).toBeGreaterThan(asked * 0.7);
  });
});

describe('chunkWindowProblem', () => {
  it('accepts a window that holds text, and says what to give otherwise', () => {
    expect(chunkWindowProblem({ tokens: 256, overlap: 32 }, 0, 2, 256)).toBeUndefined();
    expect(chunkWindowProblem({ tokens: 512, overlap: 32 }, 0, 2, 256)).toBe(
      '--chunk 512 is more tokens than the model reads (256): give at most --chunk 256',
    );
    expect(chunkWindowProblem({ tokens: 12, overlap: 0 }, 5, 2, 256)).toBe(
      '--chunk 12 leaves under 8 tokens of text beside the prompt (5) and the special tokens (2): give at least --chunk 15',
    );
    expect(chunkWindowProblem({ tokens: 20, overlap: 0 }, 250, 2, 256)).toMatch(/use a shorter prompt/);
    expect(chunkWindowProblem({ tokens: 64, overlap: 31 }, 0, 2, 256)).toBe(
      '--chunk 64:31: the overlap must be under half of the 62 tokens of text a window holds, at most 30',
    );
    expect(chunkWindowProblem({ tokens: 64, overlap: 30 }, 0, 2, 256)).toBeUndefined();
    expect(chunkWindowProblem({ tokens: 0, overlap: 0 }, 0, 2, 256)).toMatch(/^--chunk takes TOKENS\[:OVERLAP\]/);
  });
});
