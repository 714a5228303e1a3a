/**
 * Which weights of a model folder run, by transformers.js's names for them: each names a file under
 * onnx/ by its suffix, as the converted repositories on the hub lay them out.
 */
export const DTYPE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type Dtype = keyof typeof DTYPE_SUFFIXES;

export const DTYPES = Object.keys(DTYPE_SUFFIXES) as Dtype[];

export function isDtype(value: string): value is Dtype {
  return Object.hasOwn(DTYPE_SUFFIXES, value);
}

/** The ONNX file of a dtype, relative to the model folder, '/'-separated (also its path on the hub). */
export const onnxFileOf = (dtype: Dtype): string => `onnx/model${DTYPE_SUFFIXES[dtype]}.onnx`;
