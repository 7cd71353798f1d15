/**
 * Weight initializers, like `torch.nn.init`. Each fills a tensor in place
 * (without recording gradients, bumping its storage version) and returns
 * it; the random ones draw from the generator that `manualSeed` seeds,
 * unless one is passed.
 *
 * @packageDocumentation
 */
import { checkTensor, contiguousStrides, defaultGenerator, describeKind, DTypeError, formatShape, type Generator, isFloatingPoint, ShapeError, Tensor } from '@strata/tensor';
import { erfinv, normalCdf, orthonormalColumns } from './init-math.js';
import { withoutGrad, writeElements } from './tensor-write.js';

/** The nonlinearities `calculateGain` knows: PyTorch's `nn.functional` names in camelCase. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

/** Which fan the Kaiming initializers scale by: `'fanIn'` keeps the forward pass's variance, `'fanOut'` the backward pass's. */
export type FanMode = 'fanIn' | 'fanOut';

/** Options every random initializer takes. */
export interface RandomInitOptions {
  /**
   * The generator to draw from.
   * @defaultValue the default generator that `manualSeed` seeds
   */
  generator?: Generator;
}

/** Options of `xavierUniform_` and `xavierNormal_`. */
export interface XavierOptions extends RandomInitOptions {
  /**
   * A scaling factor (see `calculateGain`).
   * @defaultValue `1`
   */
  gain?: number;
}

/** Options of `kaimingUniform_` and `kaimingNormal_`. */
export interface KaimingOptions extends RandomInitOptions {
  /**
   * The negative slope of the rectifier after this layer (used with `'leakyRelu'`).
   * @defaultValue `0`
   */
  a?: number;
  /**
   * The fan to scale by.
   * @defaultValue `'fanIn'`
   */
  mode?: FanMode;
  /**
   * The nonlinearity after this layer.
   * @defaultValue `'leakyRelu'`
   */
  nonlinearity?: Nonlinearity;
}

/** Options of `truncNormal_`. */
export interface TruncNormalOptions extends RandomInitOptions {
  /**
   * The mean of the normal distribution.
   * @defaultValue `0`
   */
  mean?: number;
  /**
   * The standard deviation of the normal distribution.
   * @defaultValue `1`
   */
  std?: number;
  /**
   * The lower cutoff.
   * @defaultValue `-2`
   */
  a?: number;
  /**
   * The upper cutoff.
   * @defaultValue `2`
   */
  b?: number;
}

/** Options of `orthogonal_`. */
export interface OrthogonalOptions extends RandomInitOptions {
  /**
   * A scaling factor.
   * @defaultValue `1`
   */
  gain?: number;
}

const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d',
  'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu',
];

/**
 * The recommended gain for a nonlinearity, as PyTorch's `calculate_gain`:
 * 1 for linear, convolutions and sigmoid; 5/3 for tanh; √2 for relu;
 * √(2 / (1 + slope²)) for leakyRelu (slope `param`, default 0.01); 3/4 for selu.
 * @throws RangeError for an unknown nonlinearity or a non-number slope.
 * @example
 * ```ts
 * calculateGain('relu');            // 1.4142135623730951
 * calculateGain('leakyRelu', 0.2);  // √(2 / 1.04)
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param: number | null = null): number {
  return gain(nonlinearity, param, 'calculateGain');
}

/** `calculateGain`, with errors naming `op` (the initializer that asked). */
function gain(nonlinearity: Nonlinearity, param: number | null, op: string): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'convTranspose1d':
    case 'convTranspose2d':
    case 'convTranspose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leakyRelu': {
      if (param !== null && param !== undefined && (typeof param !== 'number' || !Number.isFinite(param))) {
        throw new RangeError(`${op}: negative slope ${String(param)} is not a valid number`);
      }
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new RangeError(
        `${op}: unsupported nonlinearity '${String(nonlinearity)}' (expected one of ${NONLINEARITIES.map((name) => `'${name}'`).join(', ')})`,
      );
  }
}

/**
 * PyTorch's `_calculate_fan_in_and_fan_out`: for a weight of shape
 * `[out, in, ...kernel]`, `fanIn = in · ∏kernel` and `fanOut = out · ∏kernel`.
 * @throws ShapeError for a tensor of fewer than 2 dimensions.
 */
export function calculateFanInAndFanOut(tensor: Tensor): { fanIn: number; fanOut: number } {
  return fans(tensor, 'calculateFanInAndFanOut');
}

function fans(tensor: Tensor, op: string): { fanIn: number; fanOut: number } {
  checkTensor(op, 'tensor', tensor);
  if (tensor.shape.length < 2) {
    throw new ShapeError(
      `${op}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape ${formatShape(tensor.shape)})`,
    );
  }
  let receptiveField = 1;
  for (let d = 2; d < tensor.shape.length; d++) receptiveField *= tensor.shape[d]!;
  return { fanIn: tensor.shape[1]! * receptiveField, fanOut: tensor.shape[0]! * receptiveField };
}

/**
 * Fills `tensor` with samples of the uniform distribution U(a, b).
 * @throws DTypeError for a non-floating tensor; RangeError when a > b or a bound is not finite.
 */
export function uniform_(tensor: Tensor, a = 0, b = 1, options: RandomInitOptions = {}): Tensor {
  checkFloat(tensor, 'uniform_');
  checkUniformBounds(a, b, 'uniform_');
  return fillUniform(tensor, a, b, options.generator ?? defaultGenerator);
}

/**
 * Fills `tensor` with samples of the normal distribution N(mean, std²).
 * @throws DTypeError for a non-floating tensor; RangeError when std < 0 or a value is not finite.
 */
export function normal_(tensor: Tensor, mean = 0, std = 1, options: RandomInitOptions = {}): Tensor {
  checkFloat(tensor, 'normal_');
  checkNormal(mean, std, 'normal_');
  return fillNormal(tensor, mean, std, options.generator ?? defaultGenerator);
}

/**
 * Fills `tensor` with samples of N(mean, std²) truncated to [a, b], by
 * PyTorch's inverse-CDF method: uniform samples between Φ((a − mean)/std)
 * and Φ((b − mean)/std) mapped through the inverse normal CDF, then clamped
 * to [a, b].
 * @throws DTypeError for a non-floating tensor; RangeError when std < 0 or a ≥ b.
 */
export function truncNormal_(tensor: Tensor, options: TruncNormalOptions = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2 } = options;
  checkFloat(tensor, 'truncNormal_');
  checkNormal(mean, std, 'truncNormal_');
  if (!(a < b)) throw new RangeError(`truncNormal_: expected the cutoffs a < b, got a=${a}, b=${b}`);
  const generator = options.generator ?? defaultGenerator;
  const count = tensor.numel();
  const values = new Float64Array(count);
  if (std === 0) {
    values.fill(Math.min(Math.max(mean, a), b));
  } else {
    const low = 2 * normalCdf((a - mean) / std) - 1;
    const high = 2 * normalCdf((b - mean) / std) - 1;
    const scale = std * Math.SQRT2;
    for (let i = 0; i < count; i++) {
      const value = mean + scale * erfinv(low + (high - low) * generator.nextDouble());
      values[i] = value < a ? a : value > b ? b : value;
    }
  }
  withoutGrad(() => writeElements(tensor, values));
  return tensor;
}

/**
 * Fills `tensor` with `value`.
 * @throws TypeError when `tensor` is not a Tensor or `value` is not a number.
 */
export function constant_(tensor: Tensor, value: number): Tensor {
  return fillConstant(tensor, value, 'constant_');
}

function fillConstant(tensor: Tensor, value: number, op: string): Tensor {
  checkTensor(op, 'tensor', tensor);
  if (typeof value !== 'number') throw new TypeError(`${op}: expected a number, got ${describeKind(value)}`);
  withoutGrad(() => tensor.fill_(value));
  return tensor;
}

/**
 * Fills `tensor` with ones.
 * @throws TypeError when `tensor` is not a Tensor.
 */
export function ones_(tensor: Tensor): Tensor {
  return fillConstant(tensor, 1, 'ones_');
}

/**
 * Fills `tensor` with zeros.
 * @throws TypeError when `tensor` is not a Tensor.
 */
export function zeros_(tensor: Tensor): Tensor {
  return fillConstant(tensor, 0, 'zeros_');
}

/**
 * Fills a 2-d tensor with the identity matrix (ones on the main diagonal),
 * which keeps a Linear layer's inputs where it can.
 * @throws ShapeError for a tensor that is not 2-d.
 */
export function eye_(tensor: Tensor): Tensor {
  checkTensor('eye_', 'tensor', tensor);
  if (tensor.shape.length !== 2) {
    throw new ShapeError(`eye_: only tensors with 2 dimensions are supported, got shape ${formatShape(tensor.shape)}`);
  }
  const [rows, columns] = tensor.shape as [number, number];
  const values = new Float64Array(rows * columns);
  for (let i = 0; i < Math.min(rows, columns); i++) values[i * columns + i] = 1;
  withoutGrad(() => writeElements(tensor, values));
  return tensor;
}

/**
 * Fills a 3-, 4- or 5-d convolution weight with the Dirac delta, which keeps
 * the input channels (per group) where it can.
 * @throws ShapeError for another rank; RangeError when dim 0 is not divisible by `groups`.
 */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  checkTensor('dirac_', 'tensor', tensor);
  const shape = tensor.shape;
  if (shape.length < 3 || shape.length > 5) {
    throw new ShapeError(`dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape ${formatShape(shape)}`);
  }
  if (!Number.isInteger(groups) || groups < 1 || shape[0]! % groups !== 0) {
    throw new RangeError(`dirac_: dim 0 (size ${shape[0]}) must be divisible by groups, got groups=${groups}`);
  }
  const outPerGroup = shape[0]! / groups;
  const minDim = Math.min(outPerGroup, shape[1]!);
  const strides = contiguousStrides(shape);
  let center = 0;
  for (let d = 2; d < shape.length; d++) center += Math.floor(shape[d]! / 2) * strides[d]!;
  const values = new Float64Array(tensor.numel());
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) values[(g * outPerGroup + d) * strides[0]! + d * strides[1]! + center] = 1;
  }
  withoutGrad(() => writeElements(tensor, values));
  return tensor;
}

/**
 * Glorot/Xavier uniform: U(−bound, bound) with
 * bound = gain · √(6 / (fanIn + fanOut)).
 * @throws ShapeError for a tensor of fewer than 2 dimensions; DTypeError for a non-floating one.
 */
export function xavierUniform_(tensor: Tensor, options: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(tensor, 'xavierUniform_');
  checkFloat(tensor, 'xavierUniform_');
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  const bound = Math.sqrt(3) * std;
  if (tensor.numel() === 0) return tensor;
  return fillUniform(tensor, -bound, bound, options.generator ?? defaultGenerator);
}

/**
 * Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)).
 * @throws ShapeError for a tensor of fewer than 2 dimensions; DTypeError for a non-floating one.
 */
export function xavierNormal_(tensor: Tensor, options: XavierOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(tensor, 'xavierNormal_');
  checkFloat(tensor, 'xavierNormal_');
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  if (tensor.numel() === 0) return tensor;
  return fillNormal(tensor, 0, std, options.generator ?? defaultGenerator);
}

/**
 * He/Kaiming uniform: U(−bound, bound) with bound = gain · √(3 / fan), gain
 * = `calculateGain(nonlinearity, a)`. A tensor with no elements is left as
 * is. PyTorch's Linear and Conv layers use `{ a: Math.sqrt(5) }`.
 * @throws ShapeError for a tensor of fewer than 2 dimensions; RangeError for an unknown mode or nonlinearity.
 * @throws DTypeError for a non-floating tensor.
 * @example
 * ```ts
 * const weight = new Parameter(empty([64, 3, 3, 3]));
 * kaimingUniform_(weight, { a: Math.sqrt(5) });            // PyTorch's Conv2d default
 * kaimingNormal_(weight, { mode: 'fanOut', nonlinearity: 'relu' });
 * ```
 */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  checkFloat(tensor, 'kaimingUniform_');
  if (tensor.numel() === 0) return tensor;
  const std = kaimingStd(tensor, options, 'kaimingUniform_');
  const bound = Math.sqrt(3) * std;
  return fillUniform(tensor, -bound, bound, options.generator ?? defaultGenerator);
}

/**
 * He/Kaiming normal: N(0, std²) with std = gain / √fan.
 * @throws ShapeError for a tensor of fewer than 2 dimensions; RangeError for an unknown mode or nonlinearity.
 * @throws DTypeError for a non-floating tensor.
 */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  checkFloat(tensor, 'kaimingNormal_');
  if (tensor.numel() === 0) return tensor;
  return fillNormal(tensor, 0, kaimingStd(tensor, options, 'kaimingNormal_'), options.generator ?? defaultGenerator);
}

/**
 * Fills `tensor` with a (semi-)orthogonal matrix times `gain`, as PyTorch's
 * `orthogonal_`: dims after the first are flattened, a normal matrix is
 * QR-decomposed and Q (with R's diagonal made positive) is written.
 * @throws ShapeError for a tensor of fewer than 2 dimensions.
 * @throws DTypeError for a non-floating tensor.
 */
export function orthogonal_(tensor: Tensor, options: OrthogonalOptions = {}): Tensor {
  checkFloat(tensor, 'orthogonal_');
  if (tensor.shape.length < 2) {
    throw new ShapeError(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${formatShape(tensor.shape)}`);
  }
  const count = tensor.numel();
  if (count === 0) return tensor;
  const rows = tensor.shape[0]!;
  const columns = count / rows;
  const generator = options.generator ?? defaultGenerator;
  const gain = options.gain ?? 1;
  const flattened = new Float64Array(count);
  for (let i = 0; i < count; i++) flattened[i] = generator.nextNormal();
  const values = new Float64Array(count);
  if (rows >= columns) {
    const q = orthonormalColumns(flattened, rows, columns);
    for (let i = 0; i < count; i++) values[i] = gain * q[i]!;
  } else {
    // Orthonormal rows: decompose the transpose and transpose back.
    const transposed = new Float64Array(count);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) transposed[c * rows + r] = flattened[r * columns + c]!;
    const q = orthonormalColumns(transposed, columns, rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) values[r * columns + c] = gain * q[c * rows + r]!;
  }
  withoutGrad(() => writeElements(tensor, values));
  return tensor;
}

function kaimingStd(tensor: Tensor, options: KaimingOptions, op: string): number {
  const mode = options.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') {
    throw new RangeError(`${op}: mode '${String(mode)}' is not supported, use 'fanIn' or 'fanOut'`);
  }
  const { fanIn, fanOut } = fans(tensor, op);
  const scale = gain(options.nonlinearity ?? 'leakyRelu', options.a ?? 0, op);
  return scale / Math.sqrt(mode === 'fanIn' ? fanIn : fanOut);
}

/** `Tensor.uniform_` without recording: PyTorch's `init.uniform_` draws exactly what `tensor.uniform_` draws. */
function fillUniform(tensor: Tensor, low: number, high: number, generator: Generator): Tensor {
  return withoutGrad(() => tensor.uniform_(low, high, { generator }));
}

/** `Tensor.normal_` without recording, as `fillUniform`. */
function fillNormal(tensor: Tensor, mean: number, std: number, generator: Generator): Tensor {
  return withoutGrad(() => tensor.normal_(mean, std, { generator }));
}

function checkFloat(tensor: Tensor, op: string): void {
  checkTensor(op, 'tensor', tensor);
  if (!isFloatingPoint(tensor.dtype)) throw new DTypeError(`${op}: expected a floating point tensor, got ${tensor.dtype}`);
}

function checkUniformBounds(a: number, b: number, op: string): void {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`${op}: bounds must be finite, got a=${a}, b=${b}`);
  if (a > b) throw new RangeError(`${op}: expects a [a, b) range with a <= b, got a=${a}, b=${b}`);
}

function checkNormal(mean: number, std: number, op: string): void {
  if (!Number.isFinite(mean) || !Number.isFinite(std)) throw new RangeError(`${op}: mean and std must be finite, got mean=${mean}, std=${std}`);
  if (std < 0) throw new RangeError(`${op}: expects std >= 0, got std=${std}`);
}
