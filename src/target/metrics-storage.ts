/**
 * Where text metrics are kept: with `--metrics`, columns of the embeddings side table (NULL for rows
 * embedded without it); with `--metrics-only`, a table of their own, `<table>_metrics`, shaped like a side
 * table (id referencing the source with ON DELETE CASCADE, model, content_hash) so that resuming,
 * --refresh and --restart treat it as they treat embeddings. Workers write every metric but frequency,
 * which the server computes over the whole table at the end of a run (metrics-pass.ts).
 */
import pg from 'pg';
import { DatabaseError } from '../../common/errors.js';
import type { SourceTable } from '../source/source-table.js';
import { copySql, stageDdl } from '../../common/stage-row.js';
import type { WriteMethod, WritePlan } from '../../common/write-plan.js';
import { upsertFromStage, type StagedValue } from './stage-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { addColumnsSql, columnNamesSql, createMetricsTableSql } from './target-sql.js';

const metricColumns = [
  ['token_count', 'integer'],
  ['truncated', 'boolean'],
  ['char_count', 'integer'],
  ['word_count', 'integer'],
  ['frequency', 'integer'],
] as const;

/**
 * The metrics a write sets: those the stage holds, and frequency emptied, since a row written anew may
 * have a new text; the end of the run counts it again.
 */
export const stagedMetrics: StagedValue[] = metricColumns.map(([column]) => [
  column,
  column === 'frequency' ? () => 'NULL::integer' : (row) => `${row}.${column}`,
]);

/**
 * Whether a side table has the metric columns, adding those it lacks when `add` (only then: ALTER TABLE
 * needs the table's owner).
 */
export async function prepareMetricColumns(client: pg.ClientBase, qualified: string, add: boolean): Promise<boolean> {
  const present = await columnsOf(client, qualified);
  const missing = metricColumns.filter(([column]) => !present.has(column));
  if (missing.length === 0) return true;
  if (!add) return false;
  await client
    .query(addColumnsSql(qualified, missing.map(([column, type]) => `ADD COLUMN IF NOT EXISTS ${column} ${type}`).join(', ')).text)
    .catch((cause: unknown) => {
      throw new DatabaseError(`cannot add the metric columns to ${qualified}: ${(cause as Error).message}`, { code: 'TARGET', cause });
    });
  return true;
}

/** Creates `qualified` as a metrics table when missing, checks it when not, and plans the writes to it. */
export async function prepareMetricsTable(
  client: pg.ClientBase,
  source: SourceTable,
  qualified: string,
  /** The model label (see modelLabel): token counts depend on the model's tokenizer and length limit. */
  label: string,
  method: WriteMethod,
): Promise<WritePlan> {
  const present = await columnsOf(client, qualified);
  if (present.size === 0) {
    await client
      .query(createMetricsTableSql(qualified, source.idType, source.sql, quoteIdentifier(source.idColumn)).text)
      .catch((cause: unknown) => {
        throw new DatabaseError(
          `cannot create metrics table ${qualified}: ${(cause as Error).message}; grant the rights or pass --target`,
          {
            code: 'TARGET',
            cause,
          },
        );
      });
  } else {
    const missing = ['id', ...metricColumns.map(([column]) => column), 'model', 'content_hash', 'measured_at'].filter(
      (c) => !present.has(c),
    );
    if (missing.length > 0) {
      throw new DatabaseError(
        `${qualified} is not a metrics table (it has no column ${missing.join(', ')}); pass --target NEW_TABLE or drop it and run again`,
        { code: 'TARGET' },
      );
    }
  }
  // The stage's embedding column is always NULL here: no model runs, so its type does not matter.
  return {
    method,
    format: 'real[]',
    modelLabel: label,
    stageDdl: stageDdl('real[]'),
    copySql,
    ...upsertFromStage(
      qualified,
      source,
      [['model', () => pg.escapeLiteral(label)], ['content_hash', (row) => `${row}.content_hash`], ...stagedMetrics],
      'measured_at',
    ),
  };
}

async function columnsOf(client: pg.ClientBase, qualified: string): Promise<Set<string>> {
  const names = columnNamesSql(qualified);
  const result = await client.query<{ name: string }>(names.text, names.values);
  return new Set(result.rows.map((row) => row.name));
}
