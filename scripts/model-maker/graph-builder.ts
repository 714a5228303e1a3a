/**
 * Accumulates the nodes and initializers of an ONNX graph in the order they are added, naming them from
 * counters so that the same sequence of calls always yields the same graph, byte for byte.
 */
import {
  type AttributeProto,
  type Dimension,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
  TensorDataType,
  float32RawData,
  int64RawData,
  tensorValueInfo,
} from './onnx-proto.js';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly valueInfo: ValueInfoProto[] = [];
  private readonly opCounts = new Map<string, number>();
  /** Constants are shared by value, as the exporters do, so each one is a single initializer. */
  private readonly constants = new Map<string, string>();

  /** Adds a node with one output and returns that output's name (`output`, or a generated one). */
  op(opType: string, inputs: string[], attribute: AttributeProto[] = [], output?: string): string {
    const count = this.opCounts.get(opType) ?? 0;
    this.opCounts.set(opType, count + 1);
    const name = `${opType}_${count}`;
    const outputName = output ?? `${name}_output_0`;
    this.nodes.push({ name, op_type: opType, input: inputs, output: [outputName], attribute });
    return outputName;
  }

  /**
   * Declares the shape of an intermediate tensor, for the shapes that ONNX shape inference cannot work out
   * from the graph alone (it does not evaluate Shape → Range → Expand). onnxruntime keeps a declared
   * symbolic dimension where its own inference finds none, and several of its fusions need every
   * dimension known or named.
   */
  declareShape(name: string, elemType: TensorDataType, dims: Dimension[]): string {
    this.valueInfo.push(tensorValueInfo(name, elemType, dims));
    return name;
  }

  floatTensor(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push({ name, dims, data_type: TensorDataType.FLOAT, raw_data: float32RawData(values) });
    return name;
  }

  /** A rank-0 float constant: the fusion patterns of onnxruntime compare these by value. */
  floatScalar(value: number): string {
    return this.constant(`float:${value}`, () => this.floatTensor(`const_float_${this.constants.size}`, [], Float32Array.of(value)));
  }

  int64Scalar(value: number): string {
    return this.constant(`int64:${value}`, () => this.int64Tensor(`const_int64_${this.constants.size}`, [], [value]));
  }

  int64Vector(values: number[]): string {
    return this.constant(`int64[]:${values.join(',')}`, () =>
      this.int64Tensor(`const_int64_${this.constants.size}`, [values.length], values),
    );
  }

  private int64Tensor(name: string, dims: number[], values: number[]): string {
    this.initializers.push({ name, dims, data_type: TensorDataType.INT64, raw_data: int64RawData(values) });
    return name;
  }

  private constant(key: string, create: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = create();
      this.constants.set(key, name);
    }
    return name;
  }
}
