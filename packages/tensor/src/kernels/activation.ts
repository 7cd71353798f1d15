import { type DType, type TypedArray, allocateForOverwrite } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { erf } from './erf.js';

/*
 * Pointwise activation kernels: PyTorch's CPU formulas, evaluated in float64
 * and rounded once when stored. Each kernel has its own loop over the
 * row-major elements, with no per-element calls other than Math functions.
 * The cheap piecewise-linear ones (relu, leakyRelu, hardtanh, threshold) also
 * have a float32 copy of their loop that only ever sees Float32Arrays, so V8
 * compiles it without per-element array-kind checks (see float32-loops.ts).
 */

interface UnaryBuffers {
  source: TypedArray;
  target: TypedArray;
  result: Tensor;
}

function unaryBuffers(input: Tensor, dtype: DType = input.dtype): UnaryBuffers {
  const source = input.contiguousData();
  // Every kernel below writes each element of target.
  const target = allocateForOverwrite(dtype, source.length);
  return { source, target, result: Tensor.fromData(target, input.shape) };
}

// SELU's constants (Klambauer et al., as PyTorch uses them), rounded to the nearest double.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const SQRT_TWO_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_TANH_KAPPA = 0.044715;

/** max(x, 0); NaN stays NaN. Works on int32 too. */
export function reluKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  if (source instanceof Float32Array && target instanceof Float32Array) {
    reluFloat32(source, target, source.length);
    return result;
  }
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x <= 0 ? 0 : x;
  }
  return result;
}

/**
 * relu on float32 bit patterns, without a branch: conv and linear outputs
 * have random signs, so a `x <= 0 ? 0 : x` branch is mispredicted half the
 * time (about 6 ns an element, 4× the branch-free loop). An element's bits
 * are kept where its sign bit is clear (positive numbers, +0) or it is a NaN
 * (of either sign), and zeroed otherwise: -0 and negatives give +0, as
 * `x <= 0 ? 0 : x` does.
 */
function reluFloat32(source: Float32Array, target: Float32Array, count: number): void {
  const x = new Int32Array(source.buffer, source.byteOffset, count);
  const out = new Int32Array(target.buffer, target.byteOffset, count);
  for (let k = 0; k < count; k++) {
    const bits = x[k]!;
    const magnitude = bits & 0x7fffffff;
    // ~(bits >> 31): all ones for a clear sign bit; (0x7f800000 - magnitude) >> 31: all ones for a NaN.
    out[k] = bits & (~(bits >> 31) | ((0x7f800000 - magnitude) >> 31));
  }
}

/** x clamped to [minVal, maxVal]; NaN stays NaN. Works on int32 too. */
export function hardtanhKernel(input: Tensor, minVal: number, maxVal: number): Tensor {
  const { source, target, result } = unaryBuffers(input);
  if (source instanceof Float32Array && target instanceof Float32Array) {
    hardtanhFloat32(source, target, source.length, minVal, maxVal);
    return result;
  }
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x < minVal ? minVal : x > maxVal ? maxVal : x;
  }
  return result;
}

function hardtanhFloat32(source: Float32Array, target: Float32Array, count: number, minVal: number, maxVal: number): void {
  for (let k = 0; k < count; k++) {
    const x = source[k]!;
    target[k] = x < minVal ? minVal : x > maxVal ? maxVal : x;
  }
}

/** min(max(x, 0), 6). */
export function relu6Kernel(input: Tensor): Tensor {
  return hardtanhKernel(input, 0, 6);
}

/** x for x > 0, else negativeSlope · x. */
export function leakyReluKernel(input: Tensor, negativeSlope: number): Tensor {
  const { source, target, result } = unaryBuffers(input);
  if (source instanceof Float32Array && target instanceof Float32Array) {
    leakyReluFloat32(source, target, source.length, negativeSlope);
    return result;
  }
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x > 0 ? x : x * negativeSlope;
  }
  return result;
}

function leakyReluFloat32(source: Float32Array, target: Float32Array, count: number, negativeSlope: number): void {
  for (let k = 0; k < count; k++) {
    const x = source[k]!;
    target[k] = x > 0 ? x : x * negativeSlope;
  }
}

/**
 * PyTorch's shared ELU form: scale · x for x > 0, else
 * alpha · scale · (exp(inputScale · x) - 1) (with expm1 for accuracy near 0).
 */
function eluForm(input: Tensor, alpha: number, scale: number, inputScale: number): Tensor {
  const { source, target, result } = unaryBuffers(input);
  const negativeScale = alpha * scale;
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x <= 0 ? negativeScale * Math.expm1(x * inputScale) : x * scale;
  }
  return result;
}

/** x for x > 0, else alpha · (exp(x) - 1). */
export function eluKernel(input: Tensor, alpha: number): Tensor {
  return eluForm(input, alpha, 1, 1);
}

/** scale · elu(x, alpha) with PyTorch's fixed self-normalizing constants. */
export function seluKernel(input: Tensor): Tensor {
  return eluForm(input, SELU_ALPHA, SELU_SCALE, 1);
}

/** x for x > 0, else alpha · (exp(x / alpha) - 1); `alpha` must not be 0. */
export function celuKernel(input: Tensor, alpha: number): Tensor {
  return eluForm(input, alpha, 1, 1 / alpha);
}

/**
 * x · Φ(x): exactly 0.5 · x · (1 + erf(x / √2)), or with `'tanh'` PyTorch's
 * approximation 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
 */
export function geluKernel(input: Tensor, approximate: 'none' | 'tanh'): Tensor {
  const { source, target, result } = unaryBuffers(input);
  if (approximate === 'tanh') {
    for (let k = 0; k < source.length; k++) {
      const x = source[k]!;
      const inner = SQRT_TWO_OVER_PI * (x + GELU_TANH_KAPPA * x * x * x);
      target[k] = 0.5 * x * (1 + Math.tanh(inner));
    }
  } else {
    for (let k = 0; k < source.length; k++) {
      const x = source[k]!;
      target[k] = 0.5 * x * (1 + erf(x * Math.SQRT1_2));
    }
  }
  return result;
}

/** x · sigmoid(x) = x / (1 + exp(-x)). */
export function siluKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x / (1 + Math.exp(-x));
  }
  return result;
}

/** x · tanh(softplus(x)) = x · tanh(log1p(exp(x))). */
export function mishKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x * Math.tanh(Math.log1p(Math.exp(x)));
  }
  return result;
}

/**
 * 1 / (1 + exp(-x)), evaluated as exp(x) / (1 + exp(x)) for negative x so
 * exp never overflows and small results keep their relative precision.
 */
export function sigmoidKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    if (x >= 0) {
      target[k] = 1 / (1 + Math.exp(-x));
    } else {
      const e = Math.exp(x);
      target[k] = e / (1 + e);
    }
  }
  return result;
}

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), which neither overflows nor rounds to log(0). */
export function logSigmoidKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = (x < 0 ? x : 0) - Math.log1p(Math.exp(-Math.abs(x)));
  }
  return result;
}

/** The hyperbolic tangent. */
export function tanhKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) target[k] = Math.tanh(source[k]!);
  return result;
}

/** log(1 + exp(beta · x)) / beta, or x itself where beta · x > threshold (where the two agree to rounding). */
export function softplusKernel(input: Tensor, beta: number, threshold: number): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    const scaled = x * beta;
    target[k] = scaled > threshold ? x : Math.log1p(Math.exp(scaled)) / beta;
  }
  return result;
}

/** x / (1 + |x|). */
export function softsignKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x / (1 + Math.abs(x));
  }
  return result;
}

/** x · min(max(x + 3, 0), 6) / 6. */
export function hardswishKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    const shifted = x + 3;
    target[k] = (x * (shifted < 0 ? 0 : shifted > 6 ? 6 : shifted)) / 6;
  }
  return result;
}

/** min(max(x + 3, 0), 6) / 6. */
export function hardsigmoidKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const shifted = source[k]! + 3;
    target[k] = (shifted < 0 ? 0 : shifted > 6 ? 6 : shifted) / 6;
  }
  return result;
}

/** x - tanh(x). */
export function tanhshrinkKernel(input: Tensor): Tensor {
  const { source, target, result } = unaryBuffers(input);
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x - Math.tanh(x);
  }
  return result;
}

/** `value` where x <= threshold, else x (NaN stays NaN). Works on int32 too. */
export function thresholdKernel(input: Tensor, threshold: number, value: number): Tensor {
  const { source, target, result } = unaryBuffers(input);
  if (source instanceof Float32Array && target instanceof Float32Array) {
    thresholdFloat32(source, target, source.length, threshold, value);
    return result;
  }
  for (let k = 0; k < source.length; k++) {
    const x = source[k]!;
    target[k] = x <= threshold ? value : x;
  }
  return result;
}

function thresholdFloat32(source: Float32Array, target: Float32Array, count: number, threshold: number, value: number): void {
  for (let k = 0; k < count; k++) {
    const x = source[k]!;
    target[k] = x <= threshold ? value : x;
  }
}
