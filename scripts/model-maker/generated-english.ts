/**
 * English-like sentences made from the lexicon, for learning a WordPiece vocabulary when no real text is
 * at hand. Only the words and how often each occurs matter to the learner, so words are drawn with Zipf's
 * law within each kind and inflected by rule; the sentences mean nothing. Deterministic: same count, same
 * text.
 */
import { ADJECTIVES, ADVERBS, FUNCTION_WORDS, NAMES, NOUNS, VERBS } from './english-lexicon.js';
import { SeededRandom } from './seeded-random.js';

const sibilant = /(?:s|x|z|ch|sh)$/;
const consonantY = /[^aeiou]y$/;

const plural = (word: string): string =>
  sibilant.test(word) ? `${word}es` : consonantY.test(word) ? `${word.slice(0, -1)}ies` : `${word}s`;
/** A short verb ending consonant-vowel-consonant doubles its last letter: stop, stopped, stopping. */
const shortClosed = /^[^aeiou]*[aeiou][^aeiouwxy]$/;
const stem = (verb: string): string => (shortClosed.test(verb) ? verb + verb.slice(-1) : verb);
const past = (verb: string): string =>
  verb.endsWith('e') ? `${verb}d` : consonantY.test(verb) ? `${verb.slice(0, -1)}ied` : `${stem(verb)}ed`;
const presentParticiple = (verb: string): string =>
  verb.endsWith('e') && !verb.endsWith('ee') ? `${verb.slice(0, -1)}ing` : `${stem(verb)}ing`;
const adverb = (adjective: string): string =>
  adjective.endsWith('le') ? `${adjective.slice(0, -1)}y` : consonantY.test(adjective) ? `${adjective.slice(0, -1)}ily` : `${adjective}ly`;

function verbForm(entry: string, random: SeededRandom): string {
  const [base, irregularPast, participle] = entry.split(':') as [string, string?, string?];
  const r = random.uniform();
  if (r < 0.4) return base;
  if (r < 0.55) return plural(base);
  if (r < 0.75) return presentParticiple(base);
  if (r < 0.9) return irregularPast ?? past(base);
  return participle ?? past(base);
}

function adjectiveForm(adjective: string, random: SeededRandom): string {
  const r = random.uniform();
  if (r < 0.85) return adjective;
  if (r < 0.93) return adverb(adjective);
  if (r < 0.97) return `${adjective.replace(/e$/, '')}er`;
  return `${adjective.replace(/e$/, '')}est`;
}

/** Zipf's law over a list: the word of rank k (from 0) comes about 1/(k+1) as often as the first. */
const zipf = (list: readonly string[], random: SeededRandom): string =>
  list[Math.min(list.length - 1, Math.floor(Math.exp(random.uniform() * Math.log(list.length + 1))) - 1)]!;

const PREFIXES = ['un', 're', 'dis', 'in', 'over', 'out', 'under', 'pre', 'mis', 'non', 'inter', 'sub', 'super', 'anti', 'co'];
const SUFFIXES = [
  'ness',
  'ment',
  'ful',
  'less',
  'able',
  'ity',
  'ism',
  'ist',
  'ive',
  'ous',
  'ship',
  'hood',
  'ward',
  'ize',
  'al',
  'ian',
  'ic',
  'ery',
];

/**
 * Now and then a word with a prefix or suffix, real or not: it teaches the learner the pieces a real
 * vocabulary splits rarer words into.
 */
function derived(base: string, random: SeededRandom): string {
  const r = random.uniform();
  if (r < 0.04) return zipf(PREFIXES, random) + base;
  if (r < 0.1) return base.replace(/e$/, '') + zipf(SUFFIXES, random);
  return base;
}

function word(random: SeededRandom): string {
  const kind = random.uniform();
  if (kind < 0.5) return zipf(FUNCTION_WORDS, random);
  if (kind < 0.72) {
    const noun = derived(zipf(NOUNS, random), random);
    return random.uniform() < 0.3 ? plural(noun) : noun;
  }
  if (kind < 0.87) return verbForm(zipf(VERBS, random), random);
  if (kind < 0.94) return adjectiveForm(derived(zipf(ADJECTIVES, random), random), random);
  if (kind < 0.97) return zipf(ADVERBS, random);
  if (kind < 0.99) {
    const name = zipf(NAMES, random);
    return name.charAt(0).toUpperCase() + name.slice(1);
  }
  return String(1 + Math.floor(random.uniform() * 2025));
}

export function generatedEnglish(count: number, seed = 11): string[] {
  const random = new SeededRandom(seed);
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) {
    // Median about 10 words, as in ordinary prose.
    const length = Math.min(60, Math.max(2, Math.round(Math.exp(random.normal(2.3, 0.6)))));
    let sentence = '';
    for (let w = 0; w < length; w++) {
      const next = word(random);
      sentence += w === 0 ? next.charAt(0).toUpperCase() + next.slice(1) : ` ${next}`;
      if (w + 1 < length && random.uniform() < 0.07) sentence += ',';
    }
    const end = random.uniform();
    sentences.push(sentence + (end < 0.85 ? '.' : end < 0.95 ? '?' : '!'));
  }
  return sentences;
}
