/**
 * The end of a run with metrics, done by the server so that it is exact with any number of workers and
 * costs the main process no memory: the frequency of every row (how many rows of the source share its
 * normalised text) in one statement over the whole table, then the distribution of the stored metrics.
 * Frequency is recomputed for every row each time, since rows added or deleted change other rows'
 * counts; only rows whose count changed are written.
 */
import type { Queryable } from '../db/database.js';
import type { MetricsOptions } from '../config/metrics-options.js';
import type { SourceTable } from '../source/source-table.js';
import { quoteIdentifier } from '../db/table-name.js';
import { normalisedTextSql } from './normalised-text.js';
import { frequenciesSql, metricsSummarySql, textSupportSql } from './target-sql.js';

export interface MetricsSummary {
  /** Where the metrics are: the side table, or the metrics table. */
  table: string;
  foldCase: boolean;
  /** Rows with metrics in that table: the whole table's, not only this run's. */
  rows: number;
  /** Word pieces per row before truncation, special tokens included; null without rows. */
  tokens: { p50: number; p95: number; max: number } | null;
  truncatedShare: number;
  /** Rows whose normalised text repeats an earlier row's, as a share of the rows. */
  duplicateShare: number;
  distinctTexts: number;
  /** Rows of a side table embedded without --metrics: they get metrics with --metrics --refresh. */
  unmeasured: number;
}

export async function finishMetrics(
  db: Queryable,
  source: SourceTable,
  table: string,
  options: Pick<MetricsOptions, 'foldCase'>,
): Promise<MetricsSummary> {
  const server = await db.query<{ utf8: boolean; icu: boolean }>(textSupportSql().text);
  const { utf8, icu } = server.rows[0]!;
  const text = `${source.textSql('src')}::text`;
  const normalised = normalisedTextSql(text, { foldCase: options.foldCase, utf8, lowerCollation: icu ? 'und-x-icu' : undefined });
  // Partitioned in byte order ("C"): equal texts group together in any collation, and it sorts fastest.
  await db.query(frequenciesSql(table, source.sql, quoteIdentifier(source.idColumn), text, normalised).text);
  // Each group of n rows with one text adds n x 1/n: the sum counts the distinct texts in one pass.
  const result = await db.query<{
    rows: number;
    p50: number | null;
    p95: number | null;
    max: number | null;
    truncated: number;
    counted: number;
    distinct_texts: number;
    unmeasured: number;
  }>(metricsSummarySql(table).text);
  const row = result.rows[0]!;
  return {
    table,
    foldCase: options.foldCase,
    rows: row.rows,
    tokens: row.p50 === null ? null : { p50: row.p50, p95: row.p95!, max: row.max! },
    truncatedShare: row.truncated,
    duplicateShare: row.counted > 0 ? 1 - row.distinct_texts / row.counted : 0,
    distinctTexts: row.distinct_texts,
    unmeasured: row.unmeasured,
  };
}
