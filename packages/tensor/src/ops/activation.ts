import { isFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import {
  celuKernel,
  eluKernel,
  geluKernel,
  hardsigmoidKernel,
  hardswishKernel,
  hardtanhKernel,
  leakyReluKernel,
  logSigmoidKernel,
  mishKernel,
  relu6Kernel,
  reluKernel,
  seluKernel,
  sigmoidKernel,
  siluKernel,
  softplusKernel,
  softsignKernel,
  tanhKernel,
  tanhshrinkKernel,
  thresholdKernel,
} from '../kernels/activation.js';
import {
  hardtanhBackwardKernel,
  leakyReluBackwardKernel,
  reluBackwardInPlaceKernel,
  reluBackwardKernel,
} from '../kernels/activation-backward.js';
import { getKernel, registerKernel } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { to } from './cast.js';
import { checkTensor } from '../checks.js';
import { requireFloatingPoint } from './softmax.js';
import {
  COMPOSITE_BACKEND,
  hardtanhBackwardComposite,
  leakyReluBackwardComposite,
  reluBackwardComposite,
} from './activation-backward.js';

export { glu, logSoftmax, softmax, softmin } from './softmax.js';

registerKernel('relu', reluKernel);
registerKernel('relu6', relu6Kernel);
registerKernel('leakyRelu', leakyReluKernel);
registerKernel('elu', eluKernel);
registerKernel('selu', seluKernel);
registerKernel('celu', celuKernel);
registerKernel('gelu', geluKernel);
registerKernel('silu', siluKernel);
registerKernel('mish', mishKernel);
registerKernel('sigmoid', sigmoidKernel);
registerKernel('logSigmoid', logSigmoidKernel);
registerKernel('tanh', tanhKernel);
registerKernel('softplus', softplusKernel);
registerKernel('softsign', softsignKernel);
registerKernel('hardtanh', hardtanhKernel);
registerKernel('hardswish', hardswishKernel);
registerKernel('hardsigmoid', hardsigmoidKernel);
registerKernel('tanhshrink', tanhshrinkKernel);
registerKernel('threshold', thresholdKernel);
// Fused backward kernels, each above its default written with forward ops.
registerKernel('reluBackward', reluBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('reluBackward', reluBackwardKernel, { override: true });
registerKernel('reluBackward_', reluBackwardInPlaceKernel);
registerKernel('hardtanhBackward', hardtanhBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('hardtanhBackward', hardtanhBackwardKernel, { override: true });
registerKernel('leakyReluBackward', leakyReluBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('leakyReluBackward', leakyReluBackwardKernel, { override: true });

/** Options of `gelu`. */
export interface GeluOptions {
  /**
   * `'none'` for the exact x · Φ(x) (with erf), `'tanh'` for the tanh
   * approximation.
   * @defaultValue `'none'`
   */
  approximate?: 'none' | 'tanh';
}

/** Options of `softplus`. */
export interface SoftplusOptions {
  /**
   * The sharpness: softplus(x) = log(1 + exp(beta · x)) / beta.
   * @defaultValue `1`
   */
  beta?: number;
  /**
   * Above this value of beta · x the result is x itself (the two agree to
   * rounding there, and exp would overflow further on).
   * @defaultValue `20`
   */
  threshold?: number;
}

/** The ops PyTorch runs on integers too (relu, relu6, hardtanh, threshold) still reject bool. */
function rejectBool(input: Tensor, op: string): void {
  checkTensor(op, 'input', input);
  if (input.dtype === 'bool') {
    throw new DTypeError(`${op}: bool inputs are not supported (expected float32, float64 or int32)`);
  }
}

/** Ops that PyTorch computes in float for integer input (sigmoid, tanh, ...): int32 and bool become float32. */
function asFloat(input: Tensor, op: string): Tensor {
  checkTensor(op, 'input', input);
  return isFloatingPoint(input.dtype) ? input : to(input, 'float32');
}

/**
 * max(x, 0), like `torch.relu`. int32 input stays int32; NaN stays NaN.
 * @throws DTypeError for bool input.
 * @example
 * ```ts
 * relu(tensor([-1, 0, 2])); // [0, 0, 2]
 * ```
 */
export function relu(input: Tensor): Tensor {
  rejectBool(input, 'relu');
  const result = getKernel('relu')(input);
  recordOperation('relu', [input], result, {});
  return result;
}

/**
 * min(max(x, 0), 6), like `torch.nn.functional.relu6`. int32 stays int32.
 * @throws DTypeError for bool input.
 */
export function relu6(input: Tensor): Tensor {
  rejectBool(input, 'relu6');
  const result = getKernel('relu6')(input);
  recordOperation('relu6', [input], result, {});
  return result;
}

/**
 * x for x > 0, else negativeSlope · x, like `torch.nn.functional.leaky_relu`.
 * @param negativeSlope - @defaultValue `0.01`
 * @throws DTypeError for int32 or bool input.
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  requireFloatingPoint(input, 'leakyRelu');
  const result = getKernel('leakyRelu')(input, negativeSlope);
  recordOperation('leakyRelu', [input], result, { negativeSlope });
  return result;
}

/**
 * x for x > 0, else alpha · (exp(x) - 1), like `torch.nn.functional.elu`.
 * @param alpha - @defaultValue `1`
 * @throws DTypeError for int32 or bool input.
 */
export function elu(input: Tensor, alpha = 1): Tensor {
  requireFloatingPoint(input, 'elu');
  const result = getKernel('elu')(input, alpha);
  recordOperation('elu', [input], result, { alpha });
  return result;
}

/**
 * scale · elu(x, alpha) with scale ≈ 1.0507 and alpha ≈ 1.6733 (the
 * self-normalizing constants), like `torch.nn.functional.selu`.
 * @throws DTypeError for int32 or bool input.
 */
export function selu(input: Tensor): Tensor {
  requireFloatingPoint(input, 'selu');
  const result = getKernel('selu')(input);
  recordOperation('selu', [input], result, {});
  return result;
}

/**
 * x for x > 0, else alpha · (exp(x / alpha) - 1), like `torch.nn.functional.celu`.
 * @param alpha - @defaultValue `1`
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `alpha` is 0.
 */
export function celu(input: Tensor, alpha = 1): Tensor {
  requireFloatingPoint(input, 'celu');
  if (alpha === 0) throw new RangeError('celu: alpha cannot be 0 (it divides the input), got 0');
  const result = getKernel('celu')(input, alpha);
  recordOperation('celu', [input], result, { alpha });
  return result;
}

/**
 * x · Φ(x), like `torch.nn.functional.gelu`: exactly
 * 0.5 · x · (1 + erf(x / √2)), or with `{ approximate: 'tanh' }`
 * 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `approximate` is neither `'none'` nor `'tanh'`.
 * @example
 * ```ts
 * gelu(x);                          // exact, PyTorch's default
 * gelu(x, { approximate: 'tanh' }); // GPT-2's approximation
 * ```
 */
export function gelu(input: Tensor, options: GeluOptions = {}): Tensor {
  requireFloatingPoint(input, 'gelu');
  const approximate = options.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got '${String(approximate)}'`);
  }
  const result = getKernel('gelu')(input, approximate);
  recordOperation('gelu', [input], result, { approximate });
  return result;
}

/**
 * x · sigmoid(x), like `torch.nn.functional.silu` (also called swish).
 * @throws DTypeError for int32 or bool input.
 */
export function silu(input: Tensor): Tensor {
  requireFloatingPoint(input, 'silu');
  const result = getKernel('silu')(input);
  recordOperation('silu', [input], result, {});
  return result;
}

/**
 * x · tanh(softplus(x)), like `torch.nn.functional.mish`.
 * @throws DTypeError for int32 or bool input.
 */
export function mish(input: Tensor): Tensor {
  requireFloatingPoint(input, 'mish');
  const result = getKernel('mish')(input);
  recordOperation('mish', [input], result, {});
  return result;
}

/**
 * 1 / (1 + exp(-x)), like `torch.sigmoid`, computed without overflow for
 * large |x|. int32 and bool input give float32, as in PyTorch.
 */
export function sigmoid(input: Tensor): Tensor {
  const source = asFloat(input, 'sigmoid');
  const result = getKernel('sigmoid')(source);
  recordOperation('sigmoid', [source], result, {});
  return result;
}

/**
 * log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), like
 * `torch.nn.functional.logsigmoid`; finite for every finite x.
 * @throws DTypeError for int32 or bool input.
 */
export function logSigmoid(input: Tensor): Tensor {
  requireFloatingPoint(input, 'logSigmoid');
  const result = getKernel('logSigmoid')(input);
  recordOperation('logSigmoid', [input], result, {});
  return result;
}

/** The hyperbolic tangent, like `torch.tanh`. int32 and bool input give float32, as in PyTorch. */
export function tanh(input: Tensor): Tensor {
  const source = asFloat(input, 'tanh');
  const result = getKernel('tanh')(source);
  recordOperation('tanh', [source], result, {});
  return result;
}

/**
 * log(1 + exp(beta · x)) / beta, and x itself where beta · x > threshold,
 * like `torch.nn.functional.softplus`.
 * @throws DTypeError for int32 or bool input.
 */
export function softplus(input: Tensor, options: SoftplusOptions = {}): Tensor {
  requireFloatingPoint(input, 'softplus');
  const beta = options.beta ?? 1;
  const threshold = options.threshold ?? 20;
  const result = getKernel('softplus')(input, beta, threshold);
  recordOperation('softplus', [input], result, { beta, threshold });
  return result;
}

/**
 * x / (1 + |x|), like `torch.nn.functional.softsign`. int32 input gives float32.
 * @throws DTypeError for bool input (PyTorch's abs rejects it).
 */
export function softsign(input: Tensor): Tensor {
  rejectBool(input, 'softsign');
  const source = asFloat(input, 'softsign');
  const result = getKernel('softsign')(source);
  recordOperation('softsign', [source], result, {});
  return result;
}

/**
 * x clamped to [minVal, maxVal], like `torch.nn.functional.hardtanh`. int32
 * stays int32; NaN stays NaN.
 * @param minVal - @defaultValue `-1`
 * @param maxVal - @defaultValue `1`
 * @throws DTypeError for bool input.
 * @throws RangeError when minVal > maxVal.
 */
export function hardtanh(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  rejectBool(input, 'hardtanh');
  if (minVal > maxVal) {
    throw new RangeError(`hardtanh: minVal cannot be greater than maxVal (got minVal=${minVal}, maxVal=${maxVal})`);
  }
  const result = getKernel('hardtanh')(input, minVal, maxVal);
  recordOperation('hardtanh', [input], result, { minVal, maxVal });
  return result;
}

/**
 * x · min(max(x + 3, 0), 6) / 6, like `torch.nn.functional.hardswish`.
 * @throws DTypeError for int32 or bool input.
 */
export function hardswish(input: Tensor): Tensor {
  requireFloatingPoint(input, 'hardswish');
  const result = getKernel('hardswish')(input);
  recordOperation('hardswish', [input], result, {});
  return result;
}

/**
 * min(max(x + 3, 0), 6) / 6, like `torch.nn.functional.hardsigmoid`.
 * @throws DTypeError for int32 or bool input.
 */
export function hardsigmoid(input: Tensor): Tensor {
  requireFloatingPoint(input, 'hardsigmoid');
  const result = getKernel('hardsigmoid')(input);
  recordOperation('hardsigmoid', [input], result, {});
  return result;
}

/**
 * x - tanh(x), like `torch.nn.functional.tanhshrink`. int32 input gives float32.
 * @throws DTypeError for bool input (PyTorch cannot subtract bools).
 */
export function tanhshrink(input: Tensor): Tensor {
  rejectBool(input, 'tanhshrink');
  const source = asFloat(input, 'tanhshrink');
  const result = getKernel('tanhshrink')(source);
  recordOperation('tanhshrink', [source], result, {});
  return result;
}

/**
 * `value` where x <= threshold, else x, like `torch.nn.functional.threshold`.
 * int32 stays int32; NaN stays NaN.
 * @throws DTypeError for bool input.
 */
export function threshold(input: Tensor, threshold: number, value: number): Tensor {
  rejectBool(input, 'threshold');
  const result = getKernel('threshold')(input, threshold, value);
  recordOperation('threshold', [input], result, { threshold, value });
  return result;
}
