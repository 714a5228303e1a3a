/**
 * PostgreSQL's binary COPY format for the stage table: the fields of each row are those of
 * common/stage-row.ts, in its order, each encoded by its column's codec (common/stage-codecs.ts).
 */
import { stageColumns, type StageColumn, type StageRow } from '../common/stage-row.js';
import type { EmbeddingFormat } from '../common/write-plan.js';

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export function encodeStageRows(rows: readonly StageRow[], format: EmbeddingFormat): Buffer {
  return encodeRows(rows, format, stageColumns);
}

/** Rows of any stage layout (a chunked target's: common/chunk-stage-row.ts) by its columns. */
export function encodeRows<R>(rows: readonly R[], format: EmbeddingFormat, columns: readonly StageColumn<R>[]): Buffer {
  const chunks: Buffer[] = [];
  const header = Buffer.alloc(signature.length + 8);
  signature.copy(header);
  chunks.push(header);
  for (const row of rows) {
    // Field count, then per field its length (-1 for NULL) and bytes.
    const sizes = columns.map((column) => column.binarySize(row, format));
    const tuple = Buffer.alloc(2 + sizes.reduce<number>((sum, size) => sum + 4 + (size ?? 0), 0));
    let at = tuple.writeInt16BE(columns.length, 0);
    columns.forEach((column, i) => {
      const size = sizes[i]!;
      at = tuple.writeInt32BE(size ?? -1, at);
      if (size !== null) at = column.writeBinary(tuple, at, row, format);
    });
    chunks.push(tuple);
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1, 0);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}
