/**
 * The backend contract: the kernel registry, the tensor and storage types a
 * kernel takes and returns. A backend package (WebAssembly, WebGPU) imports
 * only this subpath and registers kernels under the names the ops use.
 *
 * @packageDocumentation
 */
export {
  type KernelName,
  type KernelRegistry,
  type RegisterKernelOptions,
  getKernel,
  kernelBackend,
  listKernels,
  registerKernel,
  unregisterKernel,
} from './registry.js';
export { Storage } from './storage.js';
export { Tensor } from './tensor.js';
export { type DType, type DTypeStorageMap, type TypedArray, allocate } from './dtype.js';
export { setWasmGemm, wasmGemmActive, wasmGemmTakes } from './kernels/wasm/gemm-wasm.js';
