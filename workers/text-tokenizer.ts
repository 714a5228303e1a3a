/**
 * Word-piece ids for each text, from the tokenizer files of the local model folder (tokenizer.json and
 * tokenizer_config.json), run by @huggingface/tokenizers: the library transformers.js's own tokenizers
 * encode with (its `encode` is this one's), without importing the rest of transformers.js, which cost a
 * worker more CPU at start than anything but opening the session. Truncation is done here rather than by
 * the tokenizer so that the length before truncation (a metric, and the flag for truncated rows) comes
 * out of the same single pass.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { firstLine, ModelError } from '../common/errors.js';
import type { TokenCounter } from './chunk-types.js';

export interface TokenizedText {
  ids: number[];
  /** Word pieces the whole text produced, special tokens included, before truncation. */
  fullLength: number;
  truncated: boolean;
}

export class TextTokenizer implements TokenCounter {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    /** How many special tokens the tokenizer's post-processor puts after the text ([SEP], </s>: one). */
    private readonly closingTokens: number,
    readonly padId: number,
  ) {}

  static async load(modelDir: string, maxLength: number): Promise<TextTokenizer> {
    let tokenizer: Tokenizer;
    let config: Record<string, unknown>;
    try {
      const [tokenizerJson, configJson] = await Promise.all(
        ['tokenizer.json', 'tokenizer_config.json'].map((file) => readFile(path.join(modelDir, file), 'utf8')),
      );
      config = JSON.parse(configJson!) as Record<string, unknown>;
      tokenizer = new Tokenizer(JSON.parse(tokenizerJson!) as object, config);
    } catch (cause) {
      throw new ModelError(`cannot load the tokenizer in ${modelDir}: ${firstLine(String(cause))}`, { cause });
    }
    const pad = configuredToken(config, 'pad_token') ?? configuredToken(config, 'eos_token');
    return new TextTokenizer(tokenizer, maxLength, closingTokenCount(tokenizer), (pad && tokenizer.token_to_id(pad)) ?? 0);
  }

  tokenize(text: string): TokenizedText {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxLength) return { ids, fullLength: ids.length, truncated: false };
    // Keep the closing special tokens (BERT's [SEP], XLM-R's and RoBERTa's </s>) as Hugging Face
    // truncation does: it truncates the text and adds the special tokens afterwards.
    const kept = this.maxLength - this.closingTokens;
    const truncatedIds = [...ids.slice(0, kept), ...ids.slice(ids.length - this.closingTokens)];
    return { ids: truncatedIds, fullLength: ids.length, truncated: true };
  }

  /** Tokens the model reads for the text, special tokens included, without truncation (chunk windows). */
  count(text: string): number {
    return this.tokenizer.encode(text).ids.length;
  }

  /** Tokens of the text alone, without special tokens or truncation. */
  countPlain(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  }
}

/**
 * The tokens the post-processor adds after a text, counted on a probe: the ids of a word with special
 * tokens, past where the word's own ids end.
 */
function closingTokenCount(tokenizer: Tokenizer): number {
  const probe = 'a';
  const plain: number[] = tokenizer.encode(probe, { add_special_tokens: false }).ids;
  const full: number[] = tokenizer.encode(probe).ids;
  for (let start = 0; start + plain.length <= full.length; start++) {
    if (plain.every((id, i) => full[start + i] === id)) return full.length - start - plain.length;
  }
  return 0;
}

/** A special token named in tokenizer_config.json, as a string or as an added token, as transformers.js reads it. */
function configuredToken(config: Record<string, unknown>, key: string): string | undefined {
  const item = config[key];
  if (typeof item === 'string' && item !== '') return item;
  if (typeof item === 'object' && item !== null && 'content' in item && typeof item.content === 'string') return item.content;
  return undefined;
}
