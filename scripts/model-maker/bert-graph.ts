/**
 * A BERT encoder (BertModel's last_hidden_state) as an ONNX graph with random weights.
 *
 * The node pattern is the one the Hugging Face exporters produce, down to the order of Add inputs and
 * the -10000 mask, because onnxruntime's graph optimizer only fuses subgraphs that match its patterns
 * exactly; unfused, the graph gives the same numbers more slowly than the model it stands in for. At
 * opset 17 onnxruntime fuses the GELU (BiasGelu), residual + LayerNorm (SkipLayerNormalization) and the
 * 1/sqrt(D) scale (FusedMatMul). Its Attention and EmbedLayerNormalization fusions only match
 * pre-opset-13 MatMul and its own pre-opset-17 LayerNormalization, so they do not apply here.
 */
import { GraphBuilder } from './graph-builder.js';
import type { BertArchitecture, GraphVariant } from './model-specs.js';
import { type ModelProto, TensorDataType, floatAttribute, intAttribute, intsAttribute, tensorValueInfo } from './onnx-proto.js';
import type { SeededRandom } from './seeded-random.js';

/** BERT's initializer_range: the standard deviation of every weight matrix and embedding table. */
const WEIGHT_STD = 0.02;
/**
 * Biases and LayerNorm parameters get noise too, so that a graph which drops or swaps one of them
 * computes visibly different numbers.
 */
const SMALL_STD = 0.02;

const OPSET_VERSION = 17;
const IR_VERSION = 8;
const PRODUCER_NAME = 'embed make-model';

const OUTPUT_NAME = 'last_hidden_state';
/** sentence-transformers' ONNX exports name the token states so when they add the pooled output. */
const TOKEN_OUTPUT_NAME = 'token_embeddings';
const POOLED_OUTPUT_NAME = 'sentence_embedding';
/** Rows of the task embedding table behind the `task_id` input (jina-embeddings-v3 has 5 tasks). */
const TASKS = 5;

export function buildBertModel(name: string, arch: BertArchitecture, random: SeededRandom, variant: GraphVariant = {}): ModelProto {
  const g = new GraphBuilder();
  const hidden = arch.hiddenSize;
  const headSize = hidden / arch.numAttentionHeads;
  const tokenDims = ['batch_size', 'sequence_length'];
  const tokenOutput = variant.sentenceEmbeddingOutput ? TOKEN_OUTPUT_NAME : OUTPUT_NAME;

  const matrix = (weightName: string, rows: number, cols: number) =>
    g.floatTensor(weightName, [rows, cols], random.normalArray(rows * cols, 0, WEIGHT_STD));
  const vector = (weightName: string, length: number, mean: number) =>
    g.floatTensor(weightName, [length], random.normalArray(length, mean, SMALL_STD));

  const linear = (input: string, prefix: string, inSize: number, outSize: number) =>
    g.op('Add', [g.op('MatMul', [input, matrix(`${prefix}.weight`, inSize, outSize)]), vector(`${prefix}.bias`, outSize, 0)]);

  const layerNorm = (input: string, prefix: string, output?: string) =>
    g.op(
      'LayerNormalization',
      [input, vector(`${prefix}.weight`, hidden, 1), vector(`${prefix}.bias`, hidden, 0)],
      [intAttribute('axis', -1), floatAttribute('epsilon', arch.layerNormEps)],
      output,
    );

  const withTokenTypes = variant.tokenTypeIds ?? true;
  const inputNames = [
    'input_ids',
    'attention_mask',
    ...(withTokenTypes ? ['token_type_ids'] : []),
    ...(variant.positionIdsInput ? ['position_ids'] : []),
  ];

  // Embeddings. Position ids are 0..S-1 built from the runtime sequence length, expanded to [B, S].
  const inputIds = 'input_ids';
  const attentionMask = 'attention_mask';
  const wordEmbeddings = g.op('Gather', [matrix('embeddings.word_embeddings.weight', arch.vocabSize, hidden), inputIds]);
  let positionIds = 'position_ids';
  if (!variant.positionIdsInput) {
    const inputShape = g.op('Shape', [inputIds]);
    const sequenceLength = g.op('Gather', [inputShape, g.int64Scalar(1)], [intAttribute('axis', 0)]);
    const positions = g.op('Range', [g.int64Scalar(0), sequenceLength, g.int64Scalar(1)]);
    positionIds = g.declareShape(
      g.op('Expand', [g.op('Unsqueeze', [positions, g.int64Vector([0])]), inputShape]),
      TensorDataType.INT64,
      tokenDims,
    );
  }
  const positionEmbeddings = g.op('Gather', [
    matrix('embeddings.position_embeddings.weight', arch.maxPositionEmbeddings, hidden),
    positionIds,
  ]);
  const tokenTypeEmbeddings = withTokenTypes
    ? g.op('Gather', [matrix('embeddings.token_type_embeddings.weight', arch.typeVocabSize, hidden), 'token_type_ids'])
    : undefined;
  let embeddingSum = g.op('Add', [wordEmbeddings, positionEmbeddings]);
  if (tokenTypeEmbeddings !== undefined) embeddingSum = g.op('Add', [embeddingSum, tokenTypeEmbeddings]);
  if (variant.taskIdInput) {
    // [1] -> [1, H], broadcast over every token of every row.
    const taskEmbedding = g.op('Gather', [matrix('embeddings.task_embeddings.weight', TASKS, hidden), 'task_id']);
    embeddingSum = g.op('Add', [embeddingSum, taskEmbedding]);
  }
  let hiddenStates = layerNorm(embeddingSum, 'embeddings.LayerNorm');

  // (1 - mask) * -10000 as [B, 1, 1, S], computed once and added to every layer's attention scores.
  const mask4d = g.op('Unsqueeze', [g.op('Unsqueeze', [attentionMask, g.int64Vector([1])]), g.int64Vector([2])]);
  const maskFloat = g.op('Cast', [mask4d], [intAttribute('to', TensorDataType.FLOAT)]);
  const maskBias = g.op('Mul', [g.op('Sub', [g.floatScalar(1), maskFloat]), g.floatScalar(-10000)]);

  const headsShape = g.int64Vector([0, 0, arch.numAttentionHeads, headSize]);
  const mergedShape = g.int64Vector([0, 0, hidden]);
  const toHeads = (x: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [x, headsShape])], [intsAttribute('perm', perm)]);

  for (let layer = 0; layer < arch.numHiddenLayers; layer++) {
    const prefix = `encoder.layer.${layer}`;
    const input = hiddenStates;

    // Attention: K is transposed straight to [B, N, D, S] for Q·Kᵀ, as the optimized exports have it.
    const query = toHeads(linear(input, `${prefix}.attention.self.query`, hidden, hidden), [0, 2, 1, 3]);
    const key = toHeads(linear(input, `${prefix}.attention.self.key`, hidden, hidden), [0, 2, 3, 1]);
    const value = toHeads(linear(input, `${prefix}.attention.self.value`, hidden, hidden), [0, 2, 1, 3]);
    const scores = g.op('Div', [g.op('MatMul', [query, key]), g.floatScalar(Math.sqrt(headSize))]);
    const probabilities = g.op('Softmax', [g.op('Add', [scores, maskBias])], [intAttribute('axis', -1)]);
    const context = g.op('Transpose', [g.op('MatMul', [probabilities, value])], [intsAttribute('perm', [0, 2, 1, 3])]);
    const attentionOutput = linear(g.op('Reshape', [context, mergedShape]), `${prefix}.attention.output.dense`, hidden, hidden);
    const attended = layerNorm(g.op('Add', [attentionOutput, input]), `${prefix}.attention.output.LayerNorm`);

    // Feed-forward with exact GELU: x * 0.5 * (1 + erf(x / sqrt(2))).
    const intermediate = linear(attended, `${prefix}.intermediate.dense`, hidden, arch.intermediateSize);
    const erfPlusOne = g.op('Add', [g.op('Erf', [g.op('Div', [intermediate, g.floatScalar(Math.SQRT2)])]), g.floatScalar(1)]);
    const gelu = g.op('Mul', [g.op('Mul', [intermediate, g.floatScalar(0.5)]), erfPlusOne]);
    const output = linear(gelu, `${prefix}.output.dense`, arch.intermediateSize, hidden);
    const isLast = layer === arch.numHiddenLayers - 1;
    hiddenStates = layerNorm(g.op('Add', [output, attended]), `${prefix}.output.LayerNorm`, isLast ? tokenOutput : undefined);
  }

  const outputs = [tensorValueInfo(tokenOutput, TensorDataType.FLOAT, [...tokenDims, hidden])];
  if (variant.sentenceEmbeddingOutput) {
    // The first token's state, divided by its L2 norm (at least 1e-12, as torch's normalize).
    const first = g.op('Gather', [hiddenStates, g.int64Scalar(0)], [intAttribute('axis', 1)]);
    const norm = g.op('ReduceL2', [first], [intsAttribute('axes', [-1]), intAttribute('keepdims', 1)]);
    g.op('Div', [first, g.op('Max', [norm, g.floatScalar(1e-12)])], [], POOLED_OUTPUT_NAME);
    outputs.push(tensorValueInfo(POOLED_OUTPUT_NAME, TensorDataType.FLOAT, ['batch_size', hidden]));
  }
  const inputs = inputNames.map((n) => tensorValueInfo(n, TensorDataType.INT64, tokenDims));
  if (variant.taskIdInput) inputs.push(tensorValueInfo('task_id', TensorDataType.INT64, [1]));

  return {
    ir_version: IR_VERSION,
    producer_name: PRODUCER_NAME,
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: inputs,
      output: outputs,
      value_info: g.valueInfo,
    },
    opset_import: [{ domain: '', version: OPSET_VERSION }],
  };
}
