/**
 * The statements of a chunk table (`--chunk`): one row per chunk, keyed (id, seq), removed with its
 * source row; and the write that replaces the chunks of a task's rows from the chunk stage.
 */
import pg from 'pg';
import { chunkStage } from '../../common/chunk-stage-row.js';
import type { Statement } from '../db/statement.js';

/** The chunk table: the primary key (id, seq) serves the lookups by id. */
export function createChunkTableSql(qualified: string, idType: string, source: string, idColumn: string, wanted: string): Statement {
  return {
    text: `CREATE TABLE ${qualified} (
       id ${idType} NOT NULL REFERENCES ${source} (${idColumn}) ON DELETE CASCADE,
       seq integer NOT NULL,
       chunk text NOT NULL,
       char_start integer NOT NULL,
       char_end integer NOT NULL,
       token_count integer NOT NULL,
       embedding ${wanted} NOT NULL,
       model text NOT NULL,
       content_hash text NOT NULL,
       embedded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (id, seq))`,
  };
}

/** Whether the role may read, insert, update and delete the chunk table's rows (`ok`). */
export function chunkTablePrivilegesSql(qualified: string): Statement {
  const privileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].map((p) => `has_table_privilege($1, '${p}')`).join(' AND ');
  return { text: `SELECT ${privileges} AS ok`, values: [qualified] };
}

export interface ChunkWrite {
  qualified: string;
  source: string;
  idColumn: string;
  idType: string;
  /** The write guard on the source row `s` and the staged row `r` (stage-table.ts sameTextSql). */
  sameText: (source: string, staged: string) => string;
  lockable: boolean;
  cast: string;
  label: string;
  /** The table keeps chunks and tokens per row (`--metrics`). */
  measured: boolean;
}

/**
 * One statement that writes a task's chunks, from the stage (after a COPY) or from unnest() arrays: for
 * each staged row still in the source with the text it was cut from (the write guard, its row locked
 * against deletion as for a row target), the chunks past its new last one are deleted and the others
 * upserted; a row's chunks change together, in the task's transaction, so a reader never sees two
 * texts' chunks mixed. The delete and the upsert touch different chunks, so they run side by side in
 * one statement. Redone after a crash, it changes nothing. Rows are locked in id order (see stage-table.ts).
 */
export function chunkMergeSql(write: ChunkWrite, from: 'stage' | 'unnest'): string {
  const { qualified, idType } = write;
  const staged = from === 'stage' ? `SELECT * FROM ${chunkStage.table}` : `SELECT * FROM ${chunkStage.unnestRows}`;
  const values: [string, string][] = [
    ['seq', 'st.seq'],
    ['chunk', 'st.chunk'],
    ['char_start', 'st.char_start'],
    ['char_end', 'st.char_end'],
    ['token_count', 'st.token_count'],
    ['embedding', `st.embedding::${write.cast}`],
    ['model', pg.escapeLiteral(write.label)],
    ['content_hash', 'st.content_hash'],
    ...(write.measured
      ? ([
          ['row_chunks', 'st.row_chunks'],
          ['row_tokens', 'st.row_tokens'],
        ] as [string, string][])
      : []),
  ];
  const updated = values.map(([column]) => column).filter((column) => column !== 'seq');
  const compared = updated.filter((column) => column !== 'embedding');
  return `WITH staged AS (${staged}),
     kept AS (
       SELECT r.id, r.n FROM (SELECT st.id::${idType} AS id, max(st.seq) + 1 AS n, min(st.content_hash) AS content_hash
                                FROM staged AS st GROUP BY 1 ORDER BY 1) AS r
        WHERE EXISTS (SELECT 1 FROM ${write.source} AS s WHERE s.${write.idColumn} = r.id AND ${write.sameText('s', 'r')}${
          write.lockable ? ' FOR KEY SHARE' : ''
        })),
     tail AS (DELETE FROM ${qualified} AS t USING kept AS k WHERE t.id = k.id AND t.seq >= k.n)
     INSERT INTO ${qualified} (id, ${values.map(([column]) => column).join(', ')})
     SELECT k.id, ${values.map(([, value]) => value).join(', ')}
       FROM staged AS st JOIN kept AS k ON k.id = st.id::${idType}
      ORDER BY k.id, st.seq
     ON CONFLICT (id, seq) DO UPDATE
        SET ${[...updated, 'embedded_at'].map((column) => `${column} = excluded.${column}`).join(', ')}
      WHERE (${compared.map((column) => `${qualified}.${column}`).join(', ')})
            IS DISTINCT FROM (${compared.map((column) => `excluded.${column}`).join(', ')})`;
}

/**
 * Run before the merge, in its transaction: one transaction-scoped advisory lock per row of the task
 * (keyed by the target and the id), taken in one order so that two writers wait rather than deadlock.
 * Two writes of one row (a late host and the one that took its range over, with an edit between them)
 * then follow each other, and the second's merge, a new statement, sees every chunk the first committed:
 * a row's chunks past its new last one cannot be left behind by a write its snapshot did not see.
 * $1: the task's ids as text[].
 */
export function chunkRowLocksSql(qualified: string): string {
  return `SELECT pg_advisory_xact_lock(${pg.escapeLiteral(qualified)}::regclass::oid::int, k)
            FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS u(id) ORDER BY 1) AS keys`;
}

/** The chunks a chunk table holds (`chunks`) and the rows they belong to (`rows`). */
export function chunkCountSql(qualified: string): Statement {
  return { text: `SELECT count(*)::float8 AS chunks, count(*) FILTER (WHERE seq = 0)::float8 AS rows FROM ${qualified}` };
}

/** Per row (its first chunk): rows, chunks per row and tokens per row before chunking, p50/p95/max; rows not measured. */
export function chunkMetricsSummarySql(qualified: string): Statement {
  return {
    text: `SELECT count(*)::float8 AS rows,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY row_chunks) AS chunks_p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY row_chunks) AS chunks_p95,
            max(row_chunks) AS chunks_max,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY row_tokens) AS p50,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY row_tokens) AS p95,
            max(row_tokens) AS max,
            (SELECT count(*) FROM ${qualified} WHERE seq = 0 AND row_tokens IS NULL)::float8 AS unmeasured
       FROM ${qualified} WHERE seq = 0 AND row_tokens IS NOT NULL`,
  };
}
