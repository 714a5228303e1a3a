/**
 * Moves a model's weights out of the .onnx file into a data file beside it, as exports of models over
 * protobuf's 2 GB limit do (`model.onnx` + `model.onnx_data`): each large initializer keeps its name,
 * type and shape, and points at its bytes by location, offset and length.
 */
import type { ModelProto, TensorProto } from './onnx-proto.js';

/** Smaller tensors (constants, scalars) stay in the graph, as onnx's own converter leaves them. */
const SIZE_THRESHOLD = 1024;
/** Offsets aligned as onnx's converter aligns them, so that the runtime may map the file. */
const ALIGNMENT = 4096;
const EXTERNAL = 1;

export function withExternalData(model: ModelProto, dataFileName: string): { model: ModelProto; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const initializer = model.graph.initializer.map((tensor): TensorProto => {
    const bytes = tensor.raw_data;
    if (bytes === undefined || bytes.length < SIZE_THRESHOLD) return tensor;
    const padding = (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
    if (padding > 0) chunks.push(new Uint8Array(padding));
    offset += padding;
    chunks.push(bytes);
    const external: TensorProto = {
      name: tensor.name,
      dims: tensor.dims,
      data_type: tensor.data_type,
      data_location: EXTERNAL,
      external_data: [
        { key: 'location', value: dataFileName },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.length) },
      ],
    };
    offset += bytes.length;
    return external;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  return { model: { ...model, graph: { ...model.graph, initializer } }, data };
}
