/**
 * What a model folder's sentence-transformers files say about how its authors embed with it:
 * `modules.json` (the pipeline: Transformer, Pooling, Dense, Normalize), the Pooling module's
 * `config.json` (`1_Pooling/` by convention), `config_sentence_transformers.json` (prompts and the
 * default prompt name) and a Dense module's `config.json` (its output size). Every file is optional;
 * what is absent stays undefined, and a file that is there but unreadable is one clear error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../common/errors.js';
import type { Pooling } from '../../common/output-profile.js';

export interface SentenceTransformersFiles {
  /** The pooling of the Pooling module's config (or of `1_Pooling/config.json` without modules.json). */
  pooling?: Pooling;
  /** Where the pooling was read, for the profile's sources. */
  poolingFile?: string;
  /** Whether modules.json lists a Normalize module; undefined without modules.json. */
  normalize?: boolean;
  /** modules.json lists a Dense module: only a graph with a pooled output can apply it. */
  dense: boolean;
  /** The last Dense module's out_features, the vector's size then. */
  denseDimension?: number;
  /** config_sentence_transformers.json's `prompts`, by name. */
  prompts: Record<string, string>;
  defaultPromptName?: string;
}

interface Module {
  type: string;
  path: string;
}

/** sentence-transformers' pooling flags, and the mode each one is here (weighted mean has no equivalent). */
const poolingFlags: Record<string, Pooling | undefined> = {
  pooling_mode_cls_token: 'cls',
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_sqrt_len_tokens: 'mean-sqrt-len',
  pooling_mode_lasttoken: 'last-token',
  pooling_mode_weightedmean_tokens: undefined,
};

export function readSentenceTransformersFiles(dir: string): SentenceTransformersFiles {
  const modules = readModules(dir);
  const isType = (module: Module, name: string) => module.type.endsWith(`.${name}`) || module.type === name;
  const poolingPath = modules?.find((m) => isType(m, 'Pooling'))?.path ?? (modules === undefined ? '1_Pooling' : undefined);
  const poolingFile = poolingPath === undefined ? undefined : path.join(poolingPath, 'config.json');
  const pooling = poolingFile === undefined ? undefined : readPooling(dir, poolingFile);
  const denseModules = modules?.filter((m) => isType(m, 'Dense')) ?? [];
  const lastDense = denseModules[denseModules.length - 1];
  const denseConfig = lastDense === undefined ? undefined : readObject(dir, path.join(lastDense.path, 'config.json'));
  const denseDimension = Number(denseConfig?.out_features);
  const settings = readObject(dir, 'config_sentence_transformers.json');
  const prompts = isStringRecord(settings?.prompts) ? settings.prompts : {};
  const defaultPromptName = typeof settings?.default_prompt_name === 'string' ? settings.default_prompt_name : undefined;
  return {
    ...(pooling && { pooling, poolingFile }),
    ...(modules && { normalize: modules.some((m) => isType(m, 'Normalize')) }),
    dense: denseModules.length > 0,
    ...(Number.isInteger(denseDimension) && denseDimension > 0 && { denseDimension }),
    prompts,
    ...(defaultPromptName !== undefined && { defaultPromptName }),
  };
}

function readModules(dir: string): Module[] | undefined {
  const modules = readJson(dir, 'modules.json');
  if (modules === undefined) return undefined;
  const valid = (m: unknown): m is { type: string; path?: string } =>
    isObject(m) && typeof m.type === 'string' && (m.path === undefined || typeof m.path === 'string');
  if (!Array.isArray(modules) || !modules.every(valid)) {
    throw new ModelError(`${path.join(dir, 'modules.json')} is not a list of modules with a type and a path; fix or remove it`);
  }
  return modules.map((m) => ({ type: m.type, path: m.path ?? '' }));
}

/** The one pooling mode the config turns on; several at once (concatenated vectors) or weighted mean are refused. */
function readPooling(dir: string, file: string): Pooling | undefined {
  const config = readObject(dir, file);
  if (config === undefined) return undefined;
  const on = Object.keys(poolingFlags).filter((flag) => config[flag] === true);
  if (typeof config.pooling_mode === 'string' && on.length === 0) {
    const named = Object.entries(poolingFlags).find(([flag]) => flag.includes(`_${config.pooling_mode}`));
    if (named) on.push(named[0]);
  }
  const modes = on.map((flag) => poolingFlags[flag]);
  if (modes.length !== 1 || modes[0] === undefined) {
    const what = modes.length === 0 ? 'no pooling mode' : `${on.join(' and ')}`;
    throw new ModelError(
      `${path.join(dir, file)} asks for ${what}, which embed cannot pool; pass --pooling mean|cls|max|last-token|mean-sqrt-len to choose one`,
    );
  }
  return modes[0];
}

function readJson(dir: string, file: string): unknown {
  const full = path.join(dir, file);
  if (!existsSync(full)) return undefined;
  try {
    return JSON.parse(readFileSync(full, 'utf8'));
  } catch (cause) {
    throw new ModelError(`cannot read ${full}: ${(cause as Error).message}`, { cause });
  }
}

/** A JSON file that must hold an object, when it exists. */
function readObject(dir: string, file: string): Record<string, unknown> | undefined {
  const value = readJson(dir, file);
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new ModelError(`${path.join(dir, file)} does not hold a JSON object; fix or remove it`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
