/**
 * The upserts that move a staged batch (common/stage-row.ts) into a target table: from the temp table
 * after a binary COPY, or from unnest() arrays for servers without COPY.
 */
import { stageTable, unnestRows } from '../../common/stage-row.js';
import { quoteIdentifier } from '../db/table-name.js';
import type { SourceTable } from '../source/source-table.js';

/** A target column's value, as SQL over a staged row aliased by the argument. */
export type StagedValue = [column: string, value: (row: string) => string];

/**
 * The two ways a batch reaches `qualified`: from the stage (after a COPY) and from unnest() arrays,
 * each one upsert. Redoing a batch after a crash must change nothing, so a row is rewritten only when a
 * value it was written from differs (not the embedding, which follows from them, nor the frequency,
 * which the end of a run computes); `touched` (a timestamp column whose default is now()) records when.
 * A row deleted from the source since it was read is left out (nothing is owed for it), and the source
 * rows written for are locked against deletion until the commit, so the foreign key always holds: a
 * delete that commits first leaves the row out, one that comes later cascades. Row locks need UPDATE on
 * the source; a role without it only leaves out rows deleted before the write began (a delete that
 * commits while the write runs can still fail that row's foreign key). Rows are written in one order (the staged id), so
 * two writes of the same rows (a host that was paused writing a range another host took over) lock
 * them in the same order and wait for each other instead of deadlocking.
 *
 * The write guard: a row is written only while the source's text is still the one embedded (its md5
 * equals the staged content_hash). A row edited since its batch was read is left out; the next pass or
 * look finds it changed and embeds the new text. So a late writer (a host resumed after a pause, whose
 * range another host redid over the edited text) can never put an older text's vector over a newer one.
 * It costs an md5 of each text, on the row the primary-key probe already fetches.
 */
export function upsertFromStage(
  qualified: string,
  source: Pick<SourceTable, 'sql' | 'idColumn' | 'textSql' | 'idType' | 'lockable'>,
  values: readonly StagedValue[],
  touched: string,
): { mergeSql: string; insertSql: string } {
  const idType = source.idType;
  const stillThere = (row: string) =>
    `WHERE EXISTS (SELECT 1 FROM ${source.sql} AS s WHERE s.${quoteIdentifier(source.idColumn)} = ${row}.id::${idType}
        AND ${sameTextSql(source.textSql('s'), row)}${source.lockable ? ' FOR KEY SHARE' : ''})`;
  const columns = values.map(([column]) => column);
  const compared = columns.filter((column) => column !== 'embedding' && column !== 'frequency');
  const upsert = `ON CONFLICT (id) DO UPDATE
       SET ${[...columns, touched].map((column) => `${column} = excluded.${column}`).join(', ')}
       WHERE (${compared.map((column) => `${qualified}.${column}`).join(', ')})
             IS DISTINCT FROM (${compared.map((column) => `excluded.${column}`).join(', ')})`;
  const select = (row: string) => [`${row}.id::${idType}`, ...values.map(([, value]) => value(row))].join(', ');
  const into = `INSERT INTO ${qualified} (id, ${columns.join(', ')})`;
  return {
    mergeSql: `${into}
       SELECT ${select('st')} FROM ${stageTable} AS st ${stillThere('st')} ORDER BY st.id ${upsert}`,
    insertSql: `${into}
       SELECT ${select('u')} FROM ${unnestRows} ${stillThere('u')} ORDER BY u.id ${upsert}`,
  };
}

/**
 * The write guard's condition: the source row's text (`text`, SourceTable.textSql on its alias) is still
 * the text whose md5 the staged row aliased `staged` carries (content_hash is the md5 of the UTF-8 text
 * read, as md5() gives it here).
 */
export function sameTextSql(text: string, staged: string): string {
  return `md5(convert_to(${text}::text, 'UTF8')) = ${staged}.content_hash`;
}
