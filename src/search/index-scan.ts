/**
 * pgvector's scan settings for a search of k rows, set for its one statement. An HNSW scan returns at
 * most `hnsw.ef_search` rows (40 unless set), so k rows need ef_search of k at least; an IVFFlat scan of
 * pgvector's default single list misses most neighbours, and pgvector's advice is the square root of
 * the lists. Past ef_search's ceiling no HNSW scan can return k rows, so index scans are off and the
 * search is exact.
 */
import type { ColumnIndex } from '../target/vector-index.js';

/** pgvector's default and largest hnsw.ef_search. */
export const DEFAULT_EF_SEARCH = 40;
export const MAX_EF_SEARCH = 1000;
/** An ivfflat index built without WITH (lists = N) has pgvector's default. */
const PGVECTOR_DEFAULT_LISTS = 100;

/** The settings (name, value) a search of k rows on a column with these indexes takes. */
export function indexScanSettings(indexes: readonly ColumnIndex[], k: number): [string, string][] {
  const usable = indexes.filter((index) => index.valid);
  const settings: [string, string][] = [];
  if (usable.some((index) => index.method === 'hnsw')) {
    if (k > MAX_EF_SEARCH) settings.push(['enable_indexscan', 'off']);
    else if (k > DEFAULT_EF_SEARCH) settings.push(['hnsw.ef_search', String(k)]);
  }
  const lists = Math.max(0, ...usable.filter((index) => index.method === 'ivfflat').map((index) => index.lists ?? PGVECTOR_DEFAULT_LISTS));
  if (lists > 1) settings.push(['ivfflat.probes', String(Math.ceil(Math.sqrt(lists)))]);
  return settings;
}
