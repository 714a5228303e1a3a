/**
 * Word-piece ids for each text, from transformers.js's tokenizer loaded from the local model folder.
 * Truncation is done here rather than by the tokenizer so that the length before truncation (a metric,
 * and the flag for truncated rows) comes out of the same single pass.
 */
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
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
    private readonly tokenizer: PreTrainedTokenizer,
    readonly maxLength: number,
    /** How many special tokens the tokenizer's post-processor puts after the text ([SEP], </s>: one). */
    private readonly closingTokens: number,
    readonly padId: number,
  ) {}

  static async load(modelDir: string, maxLength: number): Promise<TextTokenizer> {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = path.dirname(path.resolve(modelDir)) + path.sep;
    let tokenizer: PreTrainedTokenizer;
    try {
      tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir), { local_files_only: true });
    } catch (cause) {
      throw new ModelError(`cannot load the tokenizer in ${modelDir}: ${firstLine(String(cause))}`, { cause });
    }
    return new TextTokenizer(tokenizer, maxLength, closingTokenCount(tokenizer), tokenizer.pad_token_id ?? 0);
  }

  tokenize(text: string): TokenizedText {
    const ids = this.tokenizer.encode(text);
    if (ids.length <= this.maxLength) return { ids, fullLength: ids.length, truncated: false };
    // Keep the closing special tokens (BERT's [SEP], XLM-R's and RoBERTa's </s>) as Hugging Face
    // truncation does: it truncates the text and adds the special tokens afterwards.
    const kept = this.maxLength - this.closingTokens;
    const truncatedIds = [...ids.slice(0, kept), ...ids.slice(ids.length - this.closingTokens)];
    return { ids: truncatedIds, fullLength: ids.length, truncated: true };
  }

  /** Tokens the model reads for the text, special tokens included, without truncation (chunk windows). */
  count(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  /** Tokens of the text alone, without special tokens or truncation. */
  countPlain(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).length;
  }
}

/**
 * The tokens the post-processor adds after a text, counted on a probe: the ids of a word with special
 * tokens, past where the word's own ids end.
 */
function closingTokenCount(tokenizer: PreTrainedTokenizer): number {
  const probe = 'a';
  const plain = tokenizer.encode(probe, { add_special_tokens: false });
  const full = tokenizer.encode(probe);
  for (let start = 0; start + plain.length <= full.length; start++) {
    if (plain.every((id, i) => full[start + i] === id)) return full.length - start - plain.length;
  }
  return 0;
}
