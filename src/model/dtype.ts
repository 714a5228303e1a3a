/** Which weights of a model folder run: onnx/model.onnx, or the int8 onnx/model_quantized.onnx. */
export type Dtype = 'fp32' | 'q8';
