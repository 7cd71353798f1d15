/**
 * The backend contract: the kernel registry, the kernel signatures, and the
 * tensor and storage types a kernel takes and returns. A backend (the
 * built-in `wasm` one, a WebGPU package) imports only this subpath and
 * registers kernels under the names the ops use. Nothing here switches an
 * implementation: users pick a backend with `useBackend` from the main entry.
 *
 * @packageDocumentation
 */
export {
  type KernelName,
  type KernelRegistry,
  type RegisterKernelOptions,
  COMPOSITE_BACKEND,
  backendOf,
  compositeKernel,
  getKernel,
  kernelBackend,
  kernelBackends,
  kernelBelow,
  kernelOf,
  listBackends,
  listKernels,
  registerKernel,
  unregisterKernel,
} from './registry.js';
export type { GemmOptions } from './kernel-signatures.js';
export { type ThreadingSupport, getNumThreads, threadingSupport } from './threads/num-threads.js';
export { type GemmBias, type GemmLayout, type GemmLayoutRequest, finishGemm, layOutGemm, writeGemmBias } from './kernels/gemm-layout.js';
export { Storage } from './storage.js';
export { type Tensor, makeTensor } from './tensor-factory.js';
export { type DType, type DTypeStorageMap, type TypedArray, allocate, allocateForOverwrite } from './dtype.js';
export { WasmKernelModule, decodeBase64 } from './backends/wasm/wasm-module.js';
export {
  type AttentionOperand,
  type AttentionSizes,
  attentionBackwardWasm,
  attentionForwardWasm,
} from './backends/wasm/attention-wasm.js';
export { type WasmTask, MAX_TASKS, WasmTaskPool } from './backends/wasm/task-pool.js';
export { type ThreadedInstance, instantiateThreaded } from './backends/wasm/threaded-module.js';
