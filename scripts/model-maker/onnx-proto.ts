/**
 * The part of onnx.proto that a BERT encoder needs (and external data), as a protobufjs definition: the messages and fields
 * make-model writes, with onnx.proto's field numbers and its (proto2) unpacked encoding of repeated
 * scalars. protobufjs writes fields in field-number order, so equal messages give equal bytes.
 */
import protobuf from 'protobufjs';

export const TensorDataType = {
  FLOAT: 1,
  INT8: 3,
  INT64: 7,
} as const;
export type TensorDataType = (typeof TensorDataType)[keyof typeof TensorDataType];

const AttributeType = {
  FLOAT: 1,
  INT: 2,
  INTS: 7,
} as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: TensorDataType;
  /** Absent when the bytes live in an external data file (see external-data.ts). */
  raw_data?: Uint8Array;
  /** location, offset and length of the bytes in the external data file. */
  external_data?: Array<{ key: string; value: string }>;
  /** 1 (EXTERNAL) when the bytes are in external_data's file. */
  data_location?: number;
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

/** A dimension is either fixed (a number) or symbolic (its name). */
export type Dimension = number | string;

export interface ValueInfoProto {
  name: string;
  type: {
    tensor_type: {
      elem_type: TensorDataType;
      shape: { dim: Array<{ dim_value: number } | { dim_param: string }> };
    };
  };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  producer_name: string;
  graph: GraphProto;
  opset_import: Array<{ domain: string; version: number }>;
}

const unpacked = { packed: false };

const onnxRoot = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: { type: 'int64', id: 1 },
            producer_name: { type: 'string', id: 2 },
            graph: { type: 'GraphProto', id: 7 },
            opset_import: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            value_info: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            op_type: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: unpacked },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: unpacked },
            data_type: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            raw_data: { type: 'bytes', id: 9 },
            external_data: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            data_location: { type: 'int32', id: 14 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: {
            tensor_type: { type: 'Tensor', id: 1 },
          },
          nested: {
            Tensor: {
              fields: {
                elem_type: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'Dimension', id: 1 },
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dim_value', 'dim_param'] } },
              fields: {
                dim_value: { type: 'int64', id: 1 },
                dim_param: { type: 'string', id: 2 },
              },
            },
          },
        },
      },
    },
  },
});

const ModelProtoType = onnxRoot.lookupType('onnx.ModelProto');

export function encodeModel(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(model).finish();
}

/** Plain-object view of a model file, with int64 fields as numbers (for inspecting generated files). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const message = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(message, { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as ModelProto;
}

/** raw_data is little-endian whatever the host's byte order, hence DataView rather than the array's own bytes. */
export function float32RawData(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

export function readFloat32RawData(tensor: TensorProto): Float32Array {
  if (tensor.raw_data === undefined) throw new Error(`${tensor.name} has its data in an external file`);
  const view = new DataView(tensor.raw_data.buffer, tensor.raw_data.byteOffset, tensor.raw_data.byteLength);
  const values = new Float32Array(tensor.raw_data.byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

export function int64RawData(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    view.setBigInt64(i * 8, BigInt(value), true);
  });
  return bytes;
}

export function floatAttribute(name: string, f: number): AttributeProto {
  return { name, type: AttributeType.FLOAT, f };
}

export function intAttribute(name: string, i: number): AttributeProto {
  return { name, type: AttributeType.INT, i };
}

export function intsAttribute(name: string, ints: number[]): AttributeProto {
  return { name, type: AttributeType.INTS, ints };
}

export function tensorValueInfo(name: string, elemType: TensorDataType, dims: Dimension[]): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}
