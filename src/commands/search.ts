/**
 * `embed search <table> "text"`: the k rows nearest the text, from the vectors the job on <table> wrote
 * (the job found as `embed status` finds it; the search itself is src/search/).
 */
import { UsageError } from '../../common/errors.js';
import type { ArgsOf, searchOptions } from '../config/options.js';
import { EXIT } from '../process/exit-codes.js';
import { DTYPES, isDtype } from '../model/dtype.js';
import { checkSearchRequest, searchJob, type SearchResult } from '../search/search-job.js';
import { jobTables, openLookup, singleJob, type JobLookupArgs } from '../job/job-lookup.js';

export type SearchOptions = JobLookupArgs & ArgsOf<typeof searchOptions> & { text: string; json?: boolean };

export async function search(options: SearchOptions): Promise<number> {
  const result = await searchTable(options);
  if (!options.json && result.format === 'real[]') process.stderr.write(exactNote(result.target));
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatResult(result));
  return EXIT.done;
}

/** The search behind the command and the library's search(). */
export async function searchTable(options: SearchOptions): Promise<SearchResult> {
  const k = options.k === undefined ? 10 : Number(options.k);
  if (options.k !== undefined && !/^\d+$/.test(options.k.trim()))
    throw new UsageError(`-k must be a whole number of rows, 1 or more (got ${JSON.stringify(options.k)})`);
  const dtype = options.dtype ?? 'fp32';
  if (!isDtype(dtype)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')} (got ${JSON.stringify(dtype)})`);
  checkSearchRequest({ text: options.text, k });
  const session = await openLookup(options);
  try {
    const job = singleJob(session);
    const { source, target } = await jobTables(session.client, job.identity);
    const recordedProfile = session.state.recordedProfile(job.id);
    const searched = { client: session.client, identity: job.identity, recordedProfile, source, target };
    return await searchJob(searched, { text: options.text, k, model: session.config.model, dtype });
  } finally {
    await session.close();
  }
}

function formatResult(result: SearchResult): string {
  // A chunked target's row is shown by its best chunk: the part of the text that matched.
  const lines = result.hits.map((hit) =>
    hit.chunk === undefined
      ? `${hit.id}\t${hit.similarity.toFixed(4)}\t${snippet(hit.text)}`
      : `${hit.id}\t${hit.similarity.toFixed(4)}\tchunk ${hit.chunk.seq}\t${snippet(hit.chunk.text)}`,
  );
  return `${(lines.length === 0 ? [`no embedded rows in ${result.target} yet`] : lines).join('\n')}\n`;
}

/** On real[] no index can serve: said once, on stderr, so that the rows on stdout stay the rows. */
function exactNote(target: string): string {
  return `exact search: ${target} holds real[], so the server compares the query with every row (slower on large tables); for an indexed search, CREATE EXTENSION vector before embedding into a new target\n`;
}

/** The text on one line, cut to a width a terminal shows. */
function snippet(text: string, width = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
