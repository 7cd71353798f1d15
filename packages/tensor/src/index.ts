/**
 * Tensors for Strata.
 *
 * @packageDocumentation
 */
export { type DType, type DTypeStorageMap, type TypedArray, DTYPES, isFloatingPoint, promoteTypes } from './dtype.js';
export { DTypeError, ShapeError, formatShape } from './errors.js';
export { broadcastShapes, contiguousStrides, numelOf, normalizeDim } from './shape.js';
export { Storage } from './storage.js';
export { type GradientHook, type NestedArray, type RemovableHandle, Tensor } from './tensor.js';
export { Generator, defaultGenerator, manualSeed } from './random.js';
export {
  type CreationOptions,
  type RandomOptions,
  type TensorOptions,
  arange,
  empty,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from './creation.js';
export {
  type BackwardOptions,
  type GradientNode,
  type GradientRecorder,
  type OperationAttributes,
  gradientRecorder,
  installGradientRecorder,
  isGradEnabled,
  recordOperation,
  setGradEnabled,
} from './gradient-recording.js';
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
export { expand, expandAs, flatten, narrow, permute, reshape, select, slice, squeeze, t, transpose, unsqueeze, view } from './ops/views.js';
export { clone, contiguous, to } from './ops/cast.js';
// elementwise (ops/elementwise.ts)
// comparisons (ops/comparison.ts)
// reductions (ops/reduction.ts)
// activations (ops/activation.ts)
// matrix products (ops/matmul.ts)
export { bmm, matmul, mm } from './ops/matmul.js';
// joining and indexing (ops/join.ts, ops/indexing.ts)
// in-place ops (ops/in-place.ts)
// printing (print.ts)
