/**
 * A model's profile: how its authors turn text into a vector with it (pooling, normalisation, the
 * prompts put before documents and queries, the output dimension, the token limit, whether the graph
 * must pool itself). Resolved once per job on the main thread, strongest source first: flags, the
 * folder's sentence-transformers files (sentence-transformers-files.ts), embed's table of well-known
 * models (known-models.ts), else mean pooling with a note. The workers get its OutputProfile part.
 */
import { UsageError, ModelError } from '../../common/errors.js';
import type { OutputProfile, Pooling } from '../../common/output-profile.js';
import { knownModel } from './known-models.js';
import { readSentenceTransformersFiles } from './sentence-transformers-files.js';

/** The profile flags of a run (src/cli/options.ts). */
export interface ProfileFlags {
  pooling?: Pooling;
  /** The document prompt itself ('' for none). */
  prompt?: string;
  /** The document prompt by its name in the model's prompts. */
  promptName?: string;
  dimensions?: number;
  /** Keep the model's vectors as they come when it has no Normalize module. */
  rawVectors: boolean;
}

export interface ModelProfile extends OutputProfile {
  /** The prompt for search queries, recorded for whoever searches these vectors ('' for none). */
  queryPrompt: string;
  /** The model's own output size (the hidden size, or a Dense module's). */
  modelDimension: number;
  /** Word pieces per text, special tokens and prompt included; longer texts are truncated. */
  maxTokens: number;
  /** Where the pooling, normalisation, prompt and dimensions came from. */
  sources: { pooling: string; normalize: string; prompt: string; dimensions: string };
  /** Its part of the model's identity (profileMark): absent for the default profile. */
  mark?: string;
  /** One line each for what was assumed or decided for the user (printed with the summary). */
  notes: string[];
}

const documentNames = ['document', 'passage', 'search_document', 'doc', 'corpus', 'retrieval.passage', 'documents', 'passages'];
const queryNames = ['query', 'search_query', 'retrieval.query', 'queries'];

/** `model`: the folder's facts (model-folder.ts), its dimension the hidden size. */
export function resolveProfile(
  model: { name: string; dir: string; dimension: number; maxSequenceLength: number },
  flags: ProfileFlags,
): ModelProfile {
  const files = readSentenceTransformersFiles(model.dir);
  const known = knownModel(model.name);
  const table = known && `embed's table of known models (${known.card})`;
  const notes: string[] = [];

  const pooling: [Pooling, string] =
    flags.pooling !== undefined
      ? [flags.pooling, '--pooling']
      : files.pooling !== undefined
        ? [files.pooling, files.poolingFile!]
        : known !== undefined
          ? [known.pooling, table!]
          : ['mean', 'an assumption'];
  if (pooling[1] === 'an assumption') {
    notes.push(
      `model ${model.name} names no pooling (no 1_Pooling/config.json, not a known model): assuming mean pooling; pass --pooling cls|mean|max|last-token if its model card says otherwise`,
    );
  }

  if (flags.rawVectors && files.normalize === true) {
    throw new UsageError(
      `--raw-vectors: model ${model.name} normalises its vectors itself (a Normalize module in modules.json); run without --raw-vectors`,
    );
  }
  const normalize: [boolean, string] = flags.rawVectors
    ? [false, '--raw-vectors']
    : files.normalize === true
      ? [true, 'modules.json']
      : [true, files.normalize === false ? 'embed (the model has no Normalize module)' : 'embed'];
  if (files.normalize === false && !flags.rawVectors) {
    notes.push(
      `model ${model.name} has no Normalize module (modules.json): its vectors are normalised anyway, since search uses the dot product; --raw-vectors keeps them as the model gives them`,
    );
  }

  const prompts: Record<string, string> = { ...(known && { document: known.documentPrompt, query: known.queryPrompt }), ...files.prompts };
  const promptFile = 'config_sentence_transformers.json';
  const named = (name: string): [string, string] => [
    prompts[name]!,
    Object.hasOwn(files.prompts, name) ? `${promptFile} (${name})` : table!,
  ];
  const documentName = [files.defaultPromptName, ...documentNames].find((name) => name !== undefined && Object.hasOwn(files.prompts, name));
  if (flags.prompt !== undefined && flags.promptName !== undefined) {
    throw new UsageError('--prompt and --prompt-name exclude each other: give the prompt itself or its name, not both');
  }
  if (flags.promptName !== undefined && !Object.hasOwn(prompts, flags.promptName)) {
    const names = Object.keys(prompts);
    throw new ModelError(
      `model ${model.name} has no prompt named ${JSON.stringify(flags.promptName)}` +
        (names.length === 0
          ? ` (no prompts in ${promptFile}); pass the prompt itself with --prompt TEXT`
          : `; its prompts are ${names.join(', ')}`),
    );
  }
  const prompt: [string, string] =
    flags.prompt !== undefined
      ? [flags.prompt, '--prompt']
      : flags.promptName !== undefined
        ? named(flags.promptName)
        : documentName !== undefined
          ? named(documentName)
          : known !== undefined
            ? [known.documentPrompt, table!]
            : ['', 'none'];
  const queryName = queryNames.find((name) => Object.hasOwn(prompts, name));
  const queryPrompt = queryName === undefined ? '' : prompts[queryName]!;

  const modelDimension = files.denseDimension ?? model.dimension;
  if (flags.dimensions !== undefined && flags.dimensions > modelDimension) {
    throw new UsageError(`--dimensions must be at most ${modelDimension}, the dimension of model ${model.name}, got ${flags.dimensions}`);
  }
  const profile: ModelProfile = {
    pooling: pooling[0],
    normalize: normalize[0],
    prompt: prompt[0],
    queryPrompt,
    dimensions: flags.dimensions ?? modelDimension,
    modelDimension,
    maxTokens: model.maxSequenceLength,
    needsPooledOutput: files.dense,
    notes,
    sources: {
      pooling: pooling[1],
      normalize: normalize[1],
      prompt: prompt[1],
      dimensions: flags.dimensions !== undefined ? '--dimensions' : 'the model',
    },
  };
  const mark = profileMark(profile);
  return { ...profile, ...(mark !== undefined && { mark }) };
}

/**
 * The profile's part of the model's identity, in words: undefined for the profile every target had
 * before profiles existed (mean pooling, normalised, no prompt, every dimension), so that such targets
 * and jobs stay the same; else what differs from it, e.g. `[cls, prompt "passage: ", 256 dimensions]`.
 */
export function profileMark(
  profile: Pick<ModelProfile, 'pooling' | 'normalize' | 'prompt' | 'dimensions' | 'modelDimension'>,
): string | undefined {
  const parts = [
    ...(profile.pooling === 'mean' ? [] : [profile.pooling]),
    ...(profile.normalize ? [] : ['raw']),
    ...(profile.prompt === '' ? [] : [`prompt ${JSON.stringify(profile.prompt)}`]),
    ...(profile.dimensions === profile.modelDimension ? [] : [`${profile.dimensions} dimensions`]),
  ];
  return parts.length === 0 ? undefined : `[${parts.join(', ')}]`;
}

/** The profile in one line, for the summary and the start of a run. */
export function describeProfile(profile: ModelProfile): string {
  const prompt = (text: string) => (text === '' ? 'none' : JSON.stringify(text));
  const dimensions =
    profile.dimensions === profile.modelDimension ? `${profile.dimensions}` : `${profile.dimensions} of ${profile.modelDimension}`;
  return (
    `${profile.pooling} pooling${profile.needsPooledOutput ? ' and Dense (in the graph)' : ''}, ${profile.normalize ? 'normalised' : 'not normalised'}, ` +
    `document prompt ${prompt(profile.prompt)}, query prompt ${prompt(profile.queryPrompt)}, ${dimensions} dimensions, ` +
    `${profile.maxTokens} tokens (pooling from ${profile.sources.pooling}, prompt from ${profile.sources.prompt})`
  );
}

/** What the workers need of it. */
export function outputProfile(profile: ModelProfile): OutputProfile {
  const { pooling, normalize, prompt, dimensions, needsPooledOutput } = profile;
  return { pooling, normalize, prompt, dimensions, needsPooledOutput };
}
