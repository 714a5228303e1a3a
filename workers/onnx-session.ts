/**
 * The one module that imports onnxruntime-node: it owns session options (threads, graph optimisation,
 * execution provider) so that every other module deals only in plain typed arrays.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from '../common/batch-task.js';
import { DeviceError, firstLine, ModelError } from '../common/errors.js';
import { CUDA_MACHINE_NEEDS, cudaFetchCommand, cudaPlatform, hasCudaProviderLibraries } from './cuda-provider.js';
import { OutputCollection } from './young-collection.js';

// Every failure comes back as an exception with a message; the native log would print it a second time.
ort.env.logLevel = 'fatal';

export interface SessionOptions {
  /** ONNX intra-op threads for this session. */
  threads: number;
  device: Device;
}

export interface ModelInputs {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  rows: number;
  sequenceLength: number;
}

export interface HiddenStates {
  /** [rows, sequenceLength, hidden] row-major; [rows, hidden] when pooled. */
  data: Float32Array;
  hidden: number;
  /** true: the graph's own `sentence_embedding` output, one vector per row, not to be pooled again. */
  pooled: boolean;
}

export interface ModelSession {
  run(inputs: ModelInputs): Promise<HiddenStates>;
  release(): Promise<void>;
}

export async function openModelSession(onnxFile: string, options: SessionOptions): Promise<ModelSession> {
  if (options.device === 'cuda') assertCudaAvailable();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxFile, sessionOptions(options));
  } catch (cause) {
    if (options.device === 'cuda') {
      throw new DeviceError(
        `CUDA is not usable here (${firstLine(cause)}): the machine needs ${CUDA_MACHINE_NEEDS} ` +
          '(docs/gpu.md), or run with --device cpu',
        { cause },
      );
    }
    const missingData = /External data path does not exist: "([^"]+)"/.exec(String(cause));
    if (missingData) {
      throw new ModelError(
        `cannot load ONNX model ${onnxFile}: its weights are in ${missingData[1]}, which is missing; ` +
          'copy it beside the ONNX file (a download from the hub fetches it)',
        { cause },
      );
    }
    throw new ModelError(`cannot load ONNX model ${onnxFile}: ${firstLine(cause)}`, { cause });
  }
  try {
    return wrap(session, onnxFile);
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** How a session is built: one pass of the graph at a time, on the threads and device asked for. */
export function sessionOptions(options: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: options.threads,
    // Each worker runs one batch at a time; a second pool of inter-op threads would only compete.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // A memory pattern is planned and kept per input shape, and sorted micro-batches come in hundreds
    // of shapes (rows x padded length): with it on, a session's memory grew with every new shape for
    // the whole run (50 MB more after 500 varied runs, measured), and it computed no faster. The
    // arena stays: it is sized by the largest run and reused.
    enableMemPattern: false,
    logSeverityLevel: 4,
    executionProviders: options.device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    // On the CPU, the fused residual Add + LayerNormalization (SkipLayerNormalization) is a scalar loop
    // with a division per element: onnxruntime's profiler gave it a quarter of a q8 MiniLM run, and the two
    // ops unfused a fifth of its time. CUDA's kernel for it is fast, so a GPU keeps the fusion.
    ...(options.device === 'cpu' && { extra: { optimization: { disable_specified_optimizers: 'SkipLayerNormFusion' } } }),
  };
}

/** The inputs embed knows how to fill; a graph asking for any other cannot be run correctly. */
const FILLABLE_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'];

/**
 * The graph's output to read: sentence-transformers' exports add a pooled (and usually normalised)
 * `sentence_embedding` that is the model's own answer; else the token states, by the names the
 * exporters give them.
 */
function chooseOutput(outputNames: readonly string[]): { name: string; pooled: boolean } {
  if (outputNames.includes('sentence_embedding')) return { name: 'sentence_embedding', pooled: true };
  const tokenStates = ['last_hidden_state', 'token_embeddings'].find((name) => outputNames.includes(name));
  return { name: tokenStates ?? outputNames[0]!, pooled: false };
}

function wrap(session: ort.InferenceSession, onnxFile: string): ModelSession {
  const inputs = new Set(session.inputNames);
  const unfillable = session.inputNames.filter((name) => !FILLABLE_INPUTS.includes(name));
  if (unfillable.length > 0 || !inputs.has('input_ids')) {
    const asked = unfillable.length > 0 ? `asks for input ${unfillable.map((n) => `"${n}"`).join(', ')}` : 'has no input_ids input';
    throw new ModelError(
      `model ${onnxFile} ${asked}, which embed cannot fill (it feeds ${FILLABLE_INPUTS.join(', ')}): ` +
        'use an export of the model without it, or another model',
    );
  }
  const output = chooseOutput(session.outputNames);
  const outputCollection = new OutputCollection();
  return {
    async run({ inputIds, attentionMask, rows, sequenceLength }) {
      outputCollection.beforeRun();
      const dims = [rows, sequenceLength];
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', inputIds, dims) };
      if (inputs.has('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', attentionMask, dims);
      if (inputs.has('token_type_ids')) {
        feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(inputIds.length), dims);
      }
      if (inputs.has('position_ids')) feeds.position_ids = new ort.Tensor('int64', positionIds(rows, sequenceLength), dims);
      const outputs = await session.run(feeds, [output.name]);
      const tensor = outputs[output.name]!;
      const data = tensor.data as Float32Array;
      const hidden = tensor.dims[tensor.dims.length - 1]!;
      tensor.dispose();
      outputCollection.afterRun(data.byteLength);
      return { data, hidden, pooled: output.pooled };
    },
    release: () => session.release(),
  };
}

/**
 * 0..S-1 on every row, as the exporters compute them in the graph when positions are not an input;
 * rows are right-padded, so a row's real tokens always take the first positions.
 */
function positionIds(rows: number, sequenceLength: number): BigInt64Array {
  const ids = new BigInt64Array(rows * sequenceLength);
  for (let row = 0; row < rows; row++) {
    for (let t = 0; t < sequenceLength; t++) ids[row * sequenceLength + t] = BigInt(t);
  }
  return ids;
}

/**
 * onnxruntime-node lists CUDA for Linux x64 but loads it from provider libraries that its install step
 * downloads (skipped by this project's install settings); checking for them first gives one clear message,
 * with the command that fetches them, instead of a native error log.
 */
function assertCudaAvailable(): void {
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  if (!cuda || !cudaPlatform()) {
    throw new DeviceError(
      `CUDA is not available: onnxruntime-node runs CUDA on Linux x64 only, this is ${process.platform}/${process.arch}; run with --device cpu`,
    );
  }
  if (!hasCudaProviderLibraries()) {
    throw new DeviceError(
      `CUDA is not available: this onnxruntime-node install has no CUDA provider libraries; fetch them with ` +
        `"${cudaFetchCommand()}" (the machine also needs ${CUDA_MACHINE_NEEDS}), or run with --device cpu`,
    );
  }
}
