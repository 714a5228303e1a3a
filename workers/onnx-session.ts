/**
 * The one module that imports onnxruntime-node: it owns session options (threads, graph optimisation,
 * execution provider) so that every other module deals only in plain typed arrays.
 */
import * as ort from 'onnxruntime-node';
import type { Device } from '../common/batch-task.js';
import { DeviceError, firstLine, ModelError } from '../common/errors.js';
import { CUDA_MACHINE_NEEDS, cudaFetchCommand, cudaPlatform, hasCudaProviderLibraries } from './cuda-provider.js';

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
  /** [rows, sequenceLength, hidden] row-major, or [rows, hidden] when `pooled`. */
  data: Float32Array;
  hidden: number;
  /** The graph's own `sentence_embedding` output (pooled already), rather than token vectors. */
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
    session = await ort.InferenceSession.create(onnxFile, {
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
    });
  } catch (cause) {
    if (options.device === 'cuda') {
      throw new DeviceError(
        `CUDA is not usable here (${firstLine(cause)}): the machine needs ${CUDA_MACHINE_NEEDS} ` +
          '(docs/gpu.md), or run with --device cpu',
        { cause },
      );
    }
    throw new ModelError(`cannot load ONNX model ${onnxFile}: ${firstLine(cause)}`, { cause });
  }
  return wrap(session);
}

function wrap(session: ort.InferenceSession): ModelSession {
  const wantsTokenTypes = session.inputNames.includes('token_type_ids');
  const outputName = session.outputNames.includes('last_hidden_state')
    ? 'last_hidden_state'
    : session.outputNames[0]!;
  return {
    async run({ inputIds, attentionMask, rows, sequenceLength }) {
      const dims = [rows, sequenceLength];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', inputIds, dims),
        attention_mask: new ort.Tensor('int64', attentionMask, dims),
      };
      if (wantsTokenTypes) {
        feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(inputIds.length), dims);
      }
      const outputs = await session.run(feeds, [outputName]);
      const output = outputs[outputName]!;
      const data = output.data as Float32Array;
      const hidden = output.dims[output.dims.length - 1]!;
      output.dispose();
      return { data, hidden, pooled: false };
    },
    release: () => session.release(),
  };
}

/**
 * onnxruntime-node lists CUDA for Linux x64 but loads it from provider libraries that its install step
 * downloads (skipped by this project's install settings); checking for them first gives one clear message,
 * with the command that fetches them, instead of a native error log.
 */
function assertCudaAvailable(): void {
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  if (!cuda || !cudaPlatform()) {
    throw new DeviceError(`CUDA is not available: onnxruntime-node runs CUDA on Linux x64 only, this is ${process.platform}/${process.arch}; run with --device cpu`);
  }
  if (!hasCudaProviderLibraries()) {
    throw new DeviceError(
      `CUDA is not available: this onnxruntime-node install has no CUDA provider libraries; fetch them with ` +
        `"${cudaFetchCommand()}" (the machine also needs ${CUDA_MACHINE_NEEDS}), or run with --device cpu`,
    );
  }
}
