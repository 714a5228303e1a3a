/**
 * Where a model's weights are when they are not in its .onnx file: exporters write them beside it as
 * `<file>_data` (optimum, transformers.js; `<file>_data_1`, `_data_2`, ... when split) or `<file>.data`
 * (a common choice with onnx's own converter); the ONNX file names that file, and onnxruntime reads it
 * from the same folder.
 */
import { existsSync } from 'node:fs';

/** The external data files present beside `onnxFile`, in a fixed order. */
export function externalDataFiles(onnxFile: string): string[] {
  const files = [`${onnxFile}_data`, `${onnxFile}.data`].filter((file) => existsSync(file));
  for (let chunk = 1; existsSync(`${onnxFile}_data_${chunk}`); chunk++) files.push(`${onnxFile}_data_${chunk}`);
  return files;
}
