/**
 * PostgreSQL's binary COPY format for the stage table: the fields of each row are those of
 * common/stage-row.ts (or a chunked target's, common/chunk-stage-row.ts), in its order, each encoded by
 * its column's codec (common/stage-codecs.ts).
 */
import { stageColumns, type StageColumn, type StageRow } from '../common/stage-row.js';
import type { EmbeddingFormat } from '../common/write-plan.js';

const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export function encodeStageRows(rows: readonly StageRow[], format: EmbeddingFormat): Buffer {
  return encodeRows(rows, format, stageColumns);
}

/** Rows of any stage layout by its columns, in one buffer sized first and written once: no buffer per row, no copy to join them. */
export function encodeRows<R>(rows: readonly R[], format: EmbeddingFormat, columns: readonly StageColumn<R>[]): Buffer {
  // Field count, then per field its length (-1 for NULL) and bytes.
  let total = signature.length + 8 + 2;
  for (const row of rows) {
    total += 2;
    for (const column of columns) total += 4 + (column.binarySize(row, format) ?? 0);
  }
  const buffer = Buffer.allocUnsafe(total);
  let at = signature.copy(buffer);
  at = buffer.writeInt32BE(0, at);
  at = buffer.writeInt32BE(0, at);
  for (const row of rows) {
    at = buffer.writeInt16BE(columns.length, at);
    for (const column of columns) {
      const size = column.binarySize(row, format);
      at = buffer.writeInt32BE(size ?? -1, at);
      if (size !== null) at = column.writeBinary(buffer, at, row, format);
    }
  }
  buffer.writeInt16BE(-1, at);
  return buffer;
}
