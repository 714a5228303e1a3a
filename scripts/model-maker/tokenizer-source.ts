/**
 * Where a generated model's tokenizer comes from, and the note the model folder keeps about it
 * (tokenizer_source.json), so that the CLI and the demo can say which tokenizer a model has.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKENIZER_SOURCE_FILE } from '../../src/model/tokenizer-note.js';

export type TokenizerSource =
  /** The tokenizer files of a real model, copied. */
  | { kind: 'copied'; from: string }
  /** A vocabulary learned from a text file (one text per line), or from generated English when none. */
  | { kind: 'learned'; textFile?: string };

export { TOKENIZER_SOURCE_FILE };

export interface TokenizerNote {
  /** One line for people: what the tokenizer is and where it came from. */
  description: string;
  source: TokenizerSource | { kind: 'tiny' };
}

export async function readTokenizerNote(folder: string): Promise<TokenizerNote | undefined> {
  try {
    return JSON.parse(await readFile(join(folder, TOKENIZER_SOURCE_FILE), 'utf8')) as TokenizerNote;
  } catch {
    return undefined;
  }
}

export const sameSource = (a: TokenizerNote['source'] | undefined, b: TokenizerSource): boolean =>
  a !== undefined && a.kind === b.kind && JSON.stringify(a) === JSON.stringify(b);
