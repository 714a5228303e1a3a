/**
 * The chunker's TokenCounter from the model's own tokenizer: a text's tokens as the model reads it
 * (special tokens included, before any truncation), and without the special tokens, which a tokenizer
 * adds the same way to every text, so they are counted once on the empty text.
 */
import type { TokenCounter } from './chunker.js';
import type { TokenizedText } from './text-tokenizer.js';

export function tokenCounter(tokenize: (text: string) => TokenizedText): TokenCounter {
  const count = (text: string) => tokenize(text).fullLength;
  const specials = count('');
  return { count, countPlain: (text) => Math.max(0, count(text) - specials) };
}
