// The WordPiece learner on small word counts: BERT's layout, merges by frequency, determinism.
import { describe, expect, it } from 'vitest';
import { bertWords, countWords, learnWordPieceVocabulary } from '../../dist/scripts/model-maker/wordpiece-trainer.js';

describe('WordPiece learner', () => {
  it('splits text into words as the uncased BERT tokenizer does', () => {
    expect(bertWords("Héllo,  WORLD! It's 3.5\u00a0km")).toEqual(['hello', ',', 'world', '!', 'it', "'", 's', '3', '.', '5', 'km']);
    expect(countWords(['a b a', 'b a'])).toEqual(
      new Map([
        ['a', 3],
        ['b', 2],
      ]),
    );
  });

  it("puts the special tokens at BERT's ids, merges frequent pairs first and fills the rest with unused pieces", () => {
    const counts = new Map([
      ['hug', 10],
      ['pug', 5],
      ['pun', 12],
      ['bun', 4],
      ['hugs', 5],
      ['zyx', 1],
    ]);
    const { pieces, learned } = learnWordPieceVocabulary(counts, 1000);
    expect(pieces).toHaveLength(1000);
    expect(new Set(pieces).size).toBe(1000);
    expect([0, 1, 99, 100, 101, 102, 103].map((id) => pieces[id])).toEqual([
      '[PAD]',
      '[unused0]',
      '[unused98]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
    ]);
    // "##u" + "##g" occurs 20 times, "##u" + "##n" 16 times: the first merge is "##ug".
    const firstMerge = pieces.findIndex((piece, id) => id > 103 && [...piece.replace(/^##/, '')].length > 1);
    expect(pieces[firstMerge]).toBe('##ug');
    expect(firstMerge).toBeLessThan(104 + learned);
    for (const word of ['hug', 'pun', 'pug', 'bun', 'hugs']) expect(pieces).toContain(word);
    // A word seen once teaches nothing: its letters stay letters.
    expect(pieces.filter((piece) => piece.includes('zy') || piece.includes('yx'))).toEqual([]);
    expect(pieces.at(-1)).toMatch(/^\[unused\d+\]$/);
  });

  it('gives the same vocabulary for the same counts, whatever their order', () => {
    const words = ['river', 'rivers', 'stone', 'stones', 'garden', 'gardening', 'window', 'windows', 'music'];
    const forward = new Map(words.map((w, i) => [w, 3 + (i % 4)]));
    const backward = new Map([...forward].reverse());
    expect(learnWordPieceVocabulary(backward, 800).pieces).toEqual(learnWordPieceVocabulary(forward, 800).pieces);
  });
});
