/**
 * The statements of a search: the type of the target's vector column, and the k rows nearest a query
 * vector. With pgvector (vector or halfvec) the operator `<=>` (cosine distance) orders, so an index on
 * it (vector_cosine_ops, halfvec_cosine_ops: target/vector-index.ts) can serve; on
 * real[] the cosine is computed exactly on the server for every row.
 */
import { quoteIdentifier } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';
import type { TargetRef } from '../target/target-table.js';

export type VectorFormat = 'vector' | 'halfvec' | 'real[]';

/** The vector column's type, as format_type names it ('vector(384)', 'real[]'); no row when it is missing. */
export function vectorColumnTypeSql(): string {
  return `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
           WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`;
}

/**
 * A chunk table's nearest rows: each source row once, by its best chunk, with that chunk's text and
 * place. Every chunk is compared (DISTINCT ON picks each row's best), so the k rows are exact.
 * $1: the query vector, $2: k. Rows: id, similarity, text, chunk, seq.
 */
export function nearestChunkRowsSql(source: SourceTable, table: string, format: VectorFormat): string {
  const id = quoteIdentifier(source.idColumn);
  const similarity =
    format !== 'real[]'
      ? `1 - (t.embedding <=> $1::${format})`
      : `(SELECT sum(a::float8 * b) / nullif(sqrt(sum(a::float8 * a)) * sqrt(sum(b::float8 * b)), 0)
           FROM unnest(t.embedding, $1::real[]) AS u(a, b))`;
  return `SELECT best.id::text AS id, best.similarity, ${source.textSql('s')}::text AS text, best.chunk, best.seq
            FROM (SELECT DISTINCT ON (scored.id) scored.id, scored.similarity, scored.chunk, scored.seq
                    FROM (SELECT t.id, t.seq, t.chunk, ${similarity} AS similarity FROM ${table} AS t) AS scored
                   ORDER BY scored.id, scored.similarity DESC NULLS LAST, scored.seq) AS best
            JOIN ${source.sql} AS s ON s.${id} = best.id
           ORDER BY best.similarity DESC NULLS LAST, best.id LIMIT $2`;
}

/**
 * A chunk table's nearest rows through its index: the $3 nearest chunks first (an ORDER BY <=> LIMIT the
 * index serves), then each row's best of them. Fewer than k rows when a few rows hold most of those chunks.
 * $1: the query vector, $2: k, $3: the chunks taken. Rows as nearestChunkRowsSql's.
 */
export function nearestChunkRowsByIndexSql(source: SourceTable, table: string, format: Exclude<VectorFormat, 'real[]'>): string {
  const id = quoteIdentifier(source.idColumn);
  return `SELECT best.id::text AS id, best.similarity, ${source.textSql('s')}::text AS text, best.chunk, best.seq
            FROM (SELECT DISTINCT ON (near.id) near.id, near.similarity, near.chunk, near.seq
                    FROM (SELECT t.id, t.seq, t.chunk, 1 - (t.embedding <=> $1::${format}) AS similarity FROM ${table} AS t
                           WHERE t.embedding IS NOT NULL ORDER BY t.embedding <=> $1::${format} LIMIT $3) AS near
                   ORDER BY near.id, near.similarity DESC, near.seq) AS best
            JOIN ${source.sql} AS s ON s.${id} = best.id
           ORDER BY best.similarity DESC, best.id LIMIT $2`;
}

/** $1: the query vector (text for vector and halfvec, an array for real[]), $2: k. Rows: id, similarity, text. */
export function nearestRowsSql(source: SourceTable, ref: TargetRef, format: VectorFormat): string {
  const id = quoteIdentifier(source.idColumn);
  const text = source.textSql('s');
  const from =
    ref.kind === 'table'
      ? `${ref.table} AS t JOIN ${source.sql} AS s ON s.${id} = t.id`
      : `${source.sql} AS s CROSS JOIN LATERAL (SELECT s.${quoteIdentifier(ref.column)} AS embedding) AS t`;
  if (format !== 'real[]') {
    // The query cast to the column's own type: <=> takes two of a kind, and the index serves only that.
    return `SELECT s.${id}::text AS id, 1 - (t.embedding <=> $1::${format}) AS similarity, ${text}::text AS text
              FROM ${from} WHERE t.embedding IS NOT NULL
             ORDER BY t.embedding <=> $1::${format} LIMIT $2`;
  }
  return `SELECT id, similarity, text FROM (
            SELECT s.${id}::text AS id, ${text}::text AS text,
                   (SELECT sum(a::float8 * b) / nullif(sqrt(sum(a::float8 * a)) * sqrt(sum(b::float8 * b)), 0)
                      FROM unnest(t.embedding, $1::real[]) AS u(a, b)) AS similarity
              FROM ${from} WHERE t.embedding IS NOT NULL) AS scored
           ORDER BY similarity DESC NULLS LAST LIMIT $2`;
}
