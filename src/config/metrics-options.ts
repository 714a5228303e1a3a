/**
 * Whether a run measures its texts, and where the measurements go: beside each embedding (`--metrics`,
 * extra columns of the side table) or instead of embeddings (`--metrics-only`, a `<table>_metrics`
 * table, the tokenizer only and no model run).
 */
import { UsageError } from '../../common/errors.js';

export type MetricsMode = 'off' | 'beside' | 'only';

export interface MetricsOptions {
  mode: MetricsMode;
  /** The frequency metric compares texts lower-cased (they are always trimmed and whitespace-collapsed). */
  foldCase: boolean;
}

export interface MetricsFlags {
  metrics?: boolean;
  metricsOnly?: boolean;
  foldCase?: boolean;
  column?: string;
}

export function resolveMetricsOptions(flags: MetricsFlags): MetricsOptions {
  if (flags.metrics === true && flags.metricsOnly === true) {
    throw new UsageError('--metrics and --metrics-only exclude each other: metrics beside the embeddings, or metrics alone');
  }
  const mode: MetricsMode = flags.metricsOnly === true ? 'only' : flags.metrics === true ? 'beside' : 'off';
  if (flags.foldCase === true && mode === 'off') {
    throw new UsageError('--fold-case changes the frequency metric: pass it with --metrics or --metrics-only');
  }
  if (mode !== 'off' && flags.column !== undefined) {
    throw new UsageError(
      `--${mode === 'only' ? 'metrics-only' : 'metrics'} writes a side table and --column writes the source table: ` +
        'drop --column (metrics are stored with the side table, or in <table>_metrics with --metrics-only)',
    );
  }
  return { mode, foldCase: flags.foldCase ?? false };
}
