/**
 * A search over the vectors a job wrote: the job's own model, checked by its file hash, embeds the query
 * with the job's recorded profile (its query prompt), and the server returns the rows nearest it.
 */
import { ModelError, StateError, UsageError } from '../../common/errors.js';
import type pg from 'pg';
import { defaults } from '../config/defaults.js';
import type { Dtype } from '../model/dtype.js';
import { locateModel, withFileHash, type ModelFiles } from '../model/model-folder.js';
import { resolveProfile, type ModelProfile } from '../model/model-profile.js';
import { modelsDir } from '../paths.js';
import type { SourceTable } from '../source/source-table.js';
import type { JobIdentity } from '../state/job-state.js';
import type { TargetInfo } from '../target/target-table.js';
import { vectorColumnTypeSql, type VectorFormat } from './nearest-sql.js';
import { vectorColumn } from '../target/vector-index.js';
import { nearestRows } from './nearest-rows.js';
import { openWithProfile } from './embedder.js';

export interface SearchRequest {
  text: string;
  k: number;
  /** The model folder or name when the job's is not found by its recorded name (a folder given by path). */
  model?: string;
  dtype?: Dtype;
}

export interface SearchHit {
  id: string;
  /** Cosine similarity of the row's vector (a chunked target: its best chunk's) and the query's. */
  similarity: number;
  text: string;
  /** A chunked target (`--chunk`): the row's best chunk, its text and place in the row. */
  chunk?: { seq: number; text: string };
}

export interface SearchResult {
  /** The target searched (a side table, or table.column). */
  target: string;
  format: VectorFormat;
  hits: SearchHit[];
}

/** The job searched, as the lookup found it (src/commands/job-lookup.ts). */
export interface SearchedJob {
  client: pg.ClientBase;
  identity: JobIdentity;
  /** What the state file recorded as the job's profile (StateStore.recordedProfile). */
  recordedProfile: unknown;
  source: SourceTable;
  target: TargetInfo;
}

/** Checked before the state file and the database are opened. */
export function checkSearchRequest(request: Pick<SearchRequest, 'text' | 'k'>): void {
  if (request.text.trim() === '')
    throw new UsageError('the query is empty; give the text to search for, e.g. embed search docs "how do I reset my password"');
  if (!Number.isInteger(request.k) || request.k < 1)
    throw new UsageError(`-k must be a whole number of rows, 1 or more (got ${request.k})`);
}

export async function searchJob(searched: SearchedJob, request: SearchRequest): Promise<SearchResult> {
  checkSearchRequest(request);
  const { client, identity, source, target } = searched;
  const where = vectorColumn(target.ref);
  const typed = await client.query<{ type: string }>(vectorColumnTypeSql(), [where.table, where.column]);
  const type = typed.rows[0]?.type;
  if (type === undefined)
    throw new StateError(`${target.display} holds no vectors (dropped since the job ran?); run embed ${identity.source} again first`);
  const format: VectorFormat = type.startsWith('vector') ? 'vector' : type.startsWith('halfvec') ? 'halfvec' : 'real[]';
  const files = await locateModel(request.model ?? identity.model, request.dtype ?? defaults.dtype, {
    modelsDir: modelsDir(),
    allowDownload: true,
  });
  const hashed = await withFileHash(files);
  if (hashed.fileHash !== identity.modelHash) {
    throw new ModelError(
      `${target.display} holds vectors of ${identity.model}@${identity.modelHash.slice(0, 12)}, but ${files.onnxFile} is ${hashed.fileHash.slice(0, 12)}: ` +
        'a query embedded with another model would find nothing meaningful; pass the --model (and --dtype) the job ran with',
    );
  }
  const profile = jobProfile(searched.recordedProfile, files, identity.profile);
  const embedder = await openWithProfile(files, profile, 1, hashed);
  let query: Float32Array;
  try {
    query = await embedder.embedQuery(request.text);
  } finally {
    await embedder.close();
  }
  const found = await nearestRows(client, source, target, format, query, request.k);
  return {
    target: target.display,
    format,
    hits: found.map((row) => ({
      id: row.id,
      similarity: Number(row.similarity ?? 0),
      text: row.text ?? '',
      ...(row.chunk !== undefined && row.seq !== undefined && { chunk: { seq: row.seq, text: row.chunk } }),
    })),
  };
}

/**
 * The profile the job's last run recorded; for a job recorded before profiles were, the model's default
 * one, which must then be the profile its identity names (none: mean, normalised, no prompt).
 */
function jobProfile(recorded: unknown, files: ModelFiles, mark: string | undefined): ModelProfile {
  const looksRight = typeof recorded === 'object' && recorded !== null && 'pooling' in recorded && 'queryPrompt' in recorded;
  if (looksRight) return recorded as ModelProfile;
  const resolved = resolveProfile(files, { rawVectors: false });
  if (resolved.mark !== mark) {
    throw new StateError(
      `the state file does not record the profile the job ran with (${mark ?? 'the default one'}); run embed on the table once more to record it, then search`,
    );
  }
  return resolved;
}
