/**
 * Carry a Strata model to the engines that run at scale: `exportOnnx` writes
 * a standard `.onnx` file (opset 17) for ONNX Runtime and every other ONNX
 * engine; `toPyTorch` writes the equivalent `torch.nn` module as Python
 * source beside the safetensors of its weights.
 *
 * @packageDocumentation
 */
export { type ExportOnnxOptions, exportOnnx } from './export-onnx.js';
export { type OnnxMapping, type OnnxMappingContext, OnnxExportError } from './onnx-mapping.js';
export { onnxMappedTypes, registerOnnxMapping } from './onnx-mappings.js';
export { ONNX_OPSET, type OnnxAttributeValue, type OnnxDimension, type OnnxElementType, OnnxGraph } from './onnx-graph.js';
export {
  type PyTorchModel,
  type ToPyTorchOptions,
  PyTorchExportError,
  registerPyTorchModule,
  toPyTorch,
} from './pytorch/to-pytorch.js';
export type { PyTorchConstructor, PyTorchWriter } from './pytorch/pytorch-layers.js';
export type { PythonValue } from './pytorch/python-literals.js';
