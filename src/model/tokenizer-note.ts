/**
 * Which tokenizer a model folder has, in words: make-model notes where a generated model's tokenizer
 * came from (tokenizer_source.json: learned, or copied from a folder); any other folder has its own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const TOKENIZER_SOURCE_FILE = 'tokenizer_source.json';

export function describeTokenizer(modelDir: string): string {
  try {
    const note = JSON.parse(readFileSync(path.join(modelDir, TOKENIZER_SOURCE_FILE), 'utf8')) as { description?: unknown };
    if (typeof note.description === 'string') return note.description;
  } catch {
    // No note: a model from the hub or elsewhere, whose tokenizer came with it.
  }
  return "the model's own";
}
