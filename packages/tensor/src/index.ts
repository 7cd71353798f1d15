/**
 * Tensors for Strata.
 *
 * @packageDocumentation
 */
import { registerWasmBackend } from './backends/wasm/wasm-backend.js';
export { type DType, type DTypeStorageMap, type TypedArray, DTYPES, allocate, isFloatingPoint, promoteTypes } from './dtype.js';
export { DTypeError, ShapeError, formatShape } from './errors.js';
export { MAX_TENSOR_ELEMENTS, checkElementCount, checkOptionNames, checkTensor, describeKind, describeValue } from './checks.js';
export { broadcastShapes, contiguousStrides, numelOf, normalizeDim, shapesEqual } from './shape.js';
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
  backendOf,
  compositeKernel,
  getKernel,
  kernelBackend,
  kernelBackends,
  listBackends,
  listKernels,
  registerKernel,
  unregisterKernel,
  useBackend,
} from './registry.js';
export type { GemmOptions } from './kernel-signatures.js';
export { type ThreadingSupport, getNumThreads, setNumThreads, threadingSupport } from './threads/num-threads.js';
export { expand, expandAs, flatten, narrow, permute, reshape, select, slice, squeeze, t, transpose, unsqueeze, view } from './ops/views.js';
export { clone, contiguous, to } from './ops/cast.js';
// elementwise (ops/elementwise.ts)
export { type TensorOrScalar, resultType } from './ops/promotion.js';
export {
  type AddOptions,
  type ClampOptions,
  type DivOptions,
  type RoundingMode,
  add,
  clamp,
  div,
  maximum,
  minimum,
  mul,
  pow,
  sub,
  where,
} from './ops/elementwise.js';
export {
  abs,
  ceil,
  cos,
  exp,
  expm1,
  floor,
  log,
  log1p,
  log2,
  neg,
  reciprocal,
  round,
  rsqrt,
  sign,
  sin,
  sqrt,
  square,
  trunc,
} from './ops/unary.js';
// comparisons (ops/comparison.ts)
export {
  type IsCloseOptions,
  allclose,
  eq,
  equal,
  ge,
  gt,
  isclose,
  isfinite,
  isinf,
  isnan,
  le,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  lt,
  ne,
} from './ops/comparison.js';
// reductions (ops/reduction.ts)
export {
  type ReductionDim,
  type ValuesAndIndices,
  type VarianceOptions,
  all,
  amax,
  amin,
  any,
  argmax,
  argmin,
  logsumexp,
  max,
  maxWithIndices,
  mean,
  min,
  minWithIndices,
  norm,
  prod,
  std,
  sum,
  var,
  variance,
} from './ops/reduction.js';
// activations (ops/activation.ts)
export {
  type GeluOptions,
  type SoftplusOptions,
  celu,
  elu,
  gelu,
  glu,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  mish,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softmin,
  softplus,
  softsign,
  tanh,
  tanhshrink,
  threshold,
} from './ops/activation.js';
// matrix products (ops/matmul.ts)
export { bmm, matmul, mm } from './ops/matmul.js';
// joining and indexing (ops/join.ts, ops/indexing.ts)
export { cat, chunk, split, stack } from './ops/join.js';
export { type IndexSpecEntry, gather, index, indexSelect, maskedFill, scatter, scatterAdd } from './ops/indexing.js';
// in-place ops (ops/in-place.ts)
export { type AddcOptions, addcdiv_, addcmul_, add_, clamp_, div_, exp_, mul_, neg_, pow_, relu_, sqrt_, sub_ } from './ops/in-place.js';
export { type RandomFillOptions, copy_, fill_, maskedFill_, normal_, uniform_, zero_ } from './ops/in-place-fill.js';
// printing (print.ts)
export { type PrintOptions, formatTensor, getPrintOptions, setPrintOptions } from './print.js';

// The WebAssembly SIMD backend ships inside this package and is on by default
// wherever it compiles; `useBackend('cpu')` selects the reference instead. It
// registers here, once every module above has registered its CPU kernels, so
// it lands above them.
registerWasmBackend();
