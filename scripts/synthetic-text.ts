/**
 * Sentences for benchmarks when no corpus file is at hand. What matters to an encoder is the spread of
 * lengths (padding is paid on the longest row of a batch), so lengths follow a log-normal like real
 * sentences do: most are short, a few are paragraphs. Deterministic: same count, same text.
 */
import { SeededRandom } from './model-maker/seeded-random.js';

const words = (
  'the of and to in is was that for on with as by at from his her they this had not are but be have ' +
  'river stone garden window music paper winter market silent orange letter morning station village ' +
  'question answer history government people country evening kitchen teacher doctor language children ' +
  'quickly slowly always never perhaps remember believe understand describe consider important different'
).split(' ');

export function syntheticSentences(count: number, seed = 7): string[] {
  const random = new SeededRandom(seed);
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) {
    // Median about 10 words, one in a hundred beyond 60: close to the shape of sentences.txt.
    const length = Math.min(400, Math.max(1, Math.round(Math.exp(random.normal(2.3, 0.75)))));
    const sentence = Array.from({ length }, () => words[Math.floor(random.uniform() * words.length)]!);
    sentence[0] = sentence[0]!.charAt(0).toUpperCase() + sentence[0]!.slice(1);
    sentences.push(`${sentence.join(' ')}.`);
  }
  return sentences;
}
