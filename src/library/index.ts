/**
 * The library: `import { openEmbedder, search } from 'embed'`. openEmbedder gives the vectors a run
 * would write (documents) or a search would look for (queries); search() is `embed search` returning
 * its rows. See docs/searching.md.
 */
import { searchTable } from '../commands/search.js';
import type { Dtype } from '../model/dtype.js';
import type { SearchResult } from '../search/search-job.js';

export { openEmbedder, type Embedder, type EmbedderOptions } from '../search/embedder.js';
export type { SearchHit, SearchResult } from '../search/search-job.js';

export interface SearchOptions {
  /** Rows to return (default 10). */
  k?: number;
  /** The state file the job ran with (default: EMBED_STATE, else .embed/state.sqlite in the current folder). */
  state?: string;
  /** The job's --model, when the table has jobs with several (or a model folder given by path). */
  model?: string;
  /** The job's --target or --column, when the table has jobs with several. */
  target?: string;
  column?: string;
  /** The job's --chunk window (`256:32`), when the table has jobs with several. */
  chunk?: string;
  dtype?: Dtype;
}

/** The k rows of `table` nearest `text`, from the vectors the job on it wrote, as `embed search` finds them. */
export function search(databaseUrl: string, table: string, text: string, options: SearchOptions = {}): Promise<SearchResult> {
  const { k, ...job } = options;
  return searchTable({ table, text, databaseUrl, ...job, ...(k !== undefined && { k: String(k) }) });
}
