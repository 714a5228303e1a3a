/**
 * The int8 variant of a float model, rewritten the way onnxruntime's quantize_dynamic writes the
 * published model_quantized.onnx files: every MatMul by a 2-D weight becomes
 *
 *   x → DynamicQuantizeLinear → (x_q uint8, x_scale, x_zero_point)      (once per distinct x)
 *   MatMulInteger(x_q, w_q int8, x_zero_point, w_zero_point) → Cast(float) → Mul(x_scale * w_scale)
 *
 * with the bias Add left after it. onnxruntime fuses this chain with the bias into MatMulIntegerToFloat,
 * and further into DynamicQuantizeMatMul where x feeds a single MatMul; that is what makes the q8 model
 * faster than the float one. Embeddings, LayerNorms and the activation-by-activation MatMuls of
 * attention stay float.
 */
import {
  type ModelProto,
  type NodeProto,
  type TensorProto,
  TensorDataType,
  float32RawData,
  intAttribute,
  readFloat32RawData,
} from './onnx-proto.js';

/** Symmetric int8 range: -128 is left out so that the scale maps max|w| to exactly ±127. */
const INT8_MAX = 127;

function quantizeWeight(weight: TensorProto): TensorProto[] {
  const values = readFloat32RawData(weight);
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  // A zero scale would divide by zero; quantize_dynamic uses 1 for an all-zero tensor too.
  const scale = Math.fround(maxAbs === 0 ? 1 : maxAbs / INT8_MAX);
  const quantized = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    quantized[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[i]! / scale)));
  }
  const { INT8, FLOAT } = TensorDataType;
  return [
    { name: `${weight.name}_quantized`, dims: weight.dims, data_type: INT8, raw_data: new Uint8Array(quantized.buffer) },
    { name: `${weight.name}_scale`, dims: [], data_type: FLOAT, raw_data: float32RawData(Float32Array.of(scale)) },
    { name: `${weight.name}_zero_point`, dims: [], data_type: INT8, raw_data: new Uint8Array(1) },
  ];
}

const node = (name: string, opType: string, input: string[], output: string[], attribute: NodeProto['attribute'] = []) => ({
  name,
  op_type: opType,
  input,
  output,
  attribute,
});

export function quantizeMatMulWeights(model: ModelProto): ModelProto {
  const floatInitializers = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const quantizedWeightNames = new Set<string>();
  const quantizedActivations = new Set<string>();
  const nodes: NodeProto[] = [];
  for (const matmul of model.graph.node) {
    const weight = matmul.op_type === 'MatMul' ? floatInitializers.get(matmul.input[1]!) : undefined;
    if (weight === undefined || weight.dims.length !== 2) {
      nodes.push(matmul);
      continue;
    }
    quantizedWeightNames.add(weight.name);
    const [x] = matmul.input as [string];
    const [output] = matmul.output as [string];
    // Emitted just before the first MatMul that reads x, which keeps the node list topologically sorted.
    if (!quantizedActivations.has(x)) {
      quantizedActivations.add(x);
      nodes.push(node(`${x}_QuantizeLinear`, 'DynamicQuantizeLinear', [x], [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`]));
    }
    const w = weight.name;
    const prefix = matmul.name;
    const product = `${output}_quantized`;
    const scale = `${prefix}_scales_mul_output`;
    const toFloat = intAttribute('to', TensorDataType.FLOAT);
    nodes.push(
      node(`${prefix}_quant`, 'MatMulInteger', [`${x}_quantized`, `${w}_quantized`, `${x}_zero_point`, `${w}_zero_point`], [product]),
      node(`${prefix}_cast`, 'Cast', [product], [`${product}_cast`], [toFloat]),
      node(`${prefix}_scales_mul`, 'Mul', [`${x}_scale`, `${w}_scale`], [scale]),
      node(`${prefix}_output_scale_mul`, 'Mul', [`${product}_cast`, scale], [output]),
    );
  }
  // Each quantized weight takes its float original's place, so the initializer order stays stable.
  const initializers = model.graph.initializer.flatMap((t) => (quantizedWeightNames.has(t.name) ? quantizeWeight(t) : [t]));
  return { ...model, graph: { ...model.graph, node: nodes, initializer: initializers } };
}
