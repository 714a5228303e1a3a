/**
 * Seeded texts for the chunker's property tests: prose (sentences, paragraphs, short words) on which a
 * WordPiece tokenizer counts additively, and wild texts (emoji, CJK, words longer than a window, odd
 * whitespace, the varied texts) on which only the guarantees that hold for any text are checked.
 */
import type { SeededRandom } from '../../dist/scripts/model-maker/seeded-random.js';
import { variedTexts } from './varied-texts.js';

const WORDS = (
  'the of and to in is was that for on with as by at from river stone garden window music paper winter ' +
  'market silent orange letter morning station village question answer history people country evening ' +
  'kitchen teacher doctor language children quickly slowly always never perhaps remember believe'
).split(' ');
const SENTENCE_MARKS = ['.', '.', '.', '!', '?', '."', '?)'];
const SENTENCE_SPACES = [' ', ' ', ' ', '  ', '\n', '\t'];

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[Math.floor(random.uniform() * items.length)]!;
}

function between(random: SeededRandom, least: number, most: number): number {
  return least + Math.floor(random.uniform() * (most - least + 1));
}

export function proseSentence(random: SeededRandom, mostWords = 25, ended = true): string {
  const words = Array.from({ length: between(random, 1, mostWords) }, () => pick(random, WORDS));
  words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
  return words.join(' ') + (ended ? pick(random, SENTENCE_MARKS) : '');
}

/** Paragraphs of sentences; now and then a run of words with no sentence end at all. */
export function proseText(random: SeededRandom, mostParagraphs = 5): string {
  const paragraphs = Array.from({ length: between(random, 1, mostParagraphs) }, () => {
    const sentences = Array.from({ length: between(random, 1, 8) }, () =>
      random.uniform() < 0.1 ? proseSentence(random, 120, false) : proseSentence(random),
    );
    return sentences.map((sentence, i) => (i === 0 ? sentence : pick(random, SENTENCE_SPACES) + sentence)).join('');
  });
  return paragraphs.join('\n\n');
}

const WILD = [
  '🙂',
  '👨‍👩‍👧‍👦',
  '東京は日本の首都です。大阪も大きい。',
  '北京欢迎你！',
  'café naïve résumé',
  'e\u0301 a\u0308',
  'https://example.com/path?query=1&x=y',
  '\u00a0',
  '\t\t',
  '\n\n\n',
  '   ',
  'zero\u200bwidth',
];

/** Prose mixed with emoji, CJK, odd whitespace, the varied texts, and words longer than any window. */
export function wildText(random: SeededRandom): string {
  const parts: string[] = [];
  const varied = variedTexts().filter((text) => text.length < 2_000);
  for (let i = between(random, 1, 12); i > 0; i--) {
    const roll = random.uniform();
    if (roll < 0.3) parts.push(proseSentence(random));
    else if (roll < 0.5) parts.push(pick(random, WILD));
    else if (roll < 0.65) parts.push(pick(random, varied));
    else if (roll < 0.75) parts.push(pick(random, ['x', 'ab', '😀', '東', 'é']).repeat(between(random, 30, 400)));
    else parts.push(pick(random, WORDS));
  }
  return parts.join(pick(random, [' ', '', '\n', '  ']));
}
