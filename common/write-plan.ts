/** How a worker writes a batch: the statements and their shape, prepared on the main thread (src/target/). */
import type { ChunkWindow } from './chunk-window.js';

export type EmbeddingFormat = 'vector' | 'real[]';
export type WriteMethod = 'copy' | 'insert';

/** Everything a worker needs to write a batch; plain data so it crosses to worker threads. */
export interface WritePlan {
  method: WriteMethod;
  format: EmbeddingFormat;
  /** Stored in the model column of every row. */
  modelLabel: string;
  /** Temp table the binary COPY fills; emptied at each commit. */
  stageDdl: string;
  copySql: string;
  /** Moves the stage into the target; no parameters. */
  mergeSql: string;
  /** One statement over unnest() of the stage's columns as arrays (see stage-row.ts), for servers without COPY. */
  insertSql: string;
  /** Which input keys the target holds a vector for (see src/target/input-hash-column.ts); none for a column target. */
  lookupSql?: string;
  /**
   * A chunked target (`--chunk`): the worker cuts each row's text into chunks of this window and stages
   * the chunks (common/chunk-stage-row.ts) for stageDdl, copySql, mergeSql and insertSql, which replace
   * each written row's chunks whole. `measured`: the target keeps chunks and tokens per row, so the
   * worker counts the whole text's tokens too. `lockSql` ($1: the task's ids, text[]) runs first in the
   * write's transaction: it holds each row's write lock until the commit (see src/target/chunk-sql.ts).
   */
  chunk?: ChunkWindow & { measured: boolean; lockSql: string };
}
