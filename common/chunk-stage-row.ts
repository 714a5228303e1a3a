/**
 * One chunk of a row as it goes through the stage to a chunked target (`--chunk`): made like the row
 * stage (stage-row.ts), one column per field. Every chunk of a row carries the row's content hash (md5 of
 * the whole text the chunks were cut from), so the write guard and the pending condition compare rows.
 */
import { embedding, int4, text } from './stage-codecs.js';
import { stageColumn, stageLayout } from './stage-row.js';

export interface ChunkStageRow {
  id: string;
  /** The chunk's place in its row, from 0. */
  seq: number;
  chunk: string;
  charStart: number;
  charEnd: number;
  /** Tokens the model read for the chunk: prompt, text and special tokens. */
  tokenCount: number;
  vector: Float32Array;
  contentHash: string;
  /** How many chunks the row has (the same on each of its chunks). */
  rowChunks: number;
  /** Tokens of the whole row's text before chunking, prompt and special tokens included. */
  rowTokens: number;
}

const column = stageColumn<ChunkStageRow>();

export const chunkStageColumns = [
  column('id', 'id', text, true),
  column('seq', 'seq', int4, true),
  column('chunk', 'chunk', text, true),
  column('charStart', 'char_start', int4, true),
  column('charEnd', 'char_end', int4, true),
  column('tokenCount', 'token_count', int4, true),
  column('vector', 'embedding', embedding, true),
  column('contentHash', 'content_hash', text, true),
  column('rowChunks', 'row_chunks', int4, true),
  column('rowTokens', 'row_tokens', int4, true),
] as const;

// Every field of ChunkStageRow has its column: this line stops compiling when one is left out.
const everyFieldStaged: Exclude<keyof ChunkStageRow, (typeof chunkStageColumns)[number]['key']> extends never ? true : never = true;
void everyFieldStaged;

export const chunkStage = stageLayout<ChunkStageRow>('embed_chunk_stage', chunkStageColumns);
