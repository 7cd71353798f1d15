import { type DType, type TypedArray, allocate, dtypeOfArray, isDType, isFloatingPoint, unknownDType } from './dtype.js';
import { DTypeError, ShapeError, formatShape } from './errors.js';
import { type Generator, defaultGenerator } from './random.js';
import { checkTensor } from './checks.js';
import { checkShape, numelOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Options every creation function takes. */
export interface CreationOptions {
  /**
   * The element type.
   * @defaultValue `'float32'` (for `tensor` from a typed array: the array's kind; from booleans: `'bool'`)
   */
  dtype?: DType;
  /**
   * Whether the new tensor records operations for gradients.
   * @defaultValue `false`
   */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  /**
   * The generator to draw from.
   * @defaultValue the default generator that `manualSeed` seeds
   */
  generator?: Generator;
}

/** Options of `tensor`: a shape is needed when the data is a flat typed array. */
export interface TensorOptions extends CreationOptions {
  /** The shape of flat data (a typed array or a flat array); defaults to its length. */
  shape?: readonly number[];
}

function checkDType(dtype: DType | undefined, op: string): void {
  if (dtype !== undefined && !isDType(dtype)) {
    throw unknownDType(op, dtype);
  }
}

function finish(result: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad === true) result.requiresGrad = true;
  return result;
}

/**
 * Creates a tensor from nested arrays, a typed array (with an optional
 * `shape`) or a single number (a 0-d tensor), like `torch.tensor`. The data
 * is copied.
 *
 * @throws ShapeError for a ragged nested array, or a `shape` that does not
 * hold exactly the data's elements.
 * @throws RangeError for a `shape` with negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 * @throws DTypeError when `requiresGrad` is set for an int32 or bool tensor.
 *
 * @example
 * ```ts
 * const a = tensor([[1, 2], [3, 4]]);                              // float32 [2, 2]
 * const b = tensor(new Float32Array(24), { shape: [2, 3, 4] });
 * const i = tensor([0, 2, 1], { dtype: 'int32' });
 * ```
 */
export function tensor(data: NestedArray | TypedArray, options: TensorOptions = {}): Tensor {
  checkDType(options.dtype, 'tensor');
  if (ArrayBuffer.isView(data)) {
    const dtype = options.dtype ?? dtypeOfArray(data);
    const shape = options.shape ?? [data.length];
    checkShape(shape, 'tensor');
    if (numelOf(shape) !== data.length) {
      throw new ShapeError(`tensor: shape ${formatShape(shape)} holds ${numelOf(shape)} elements, but the data has ${data.length}`);
    }
    const storage = allocate(dtype, data.length);
    storage.set(data);
    return finish(Tensor.fromData(storage, shape), options);
  }
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const inferred: DType = typeof probe === 'boolean' ? 'bool' : 'float32';
  const dtype = options.dtype ?? inferred;
  const storage = allocate(dtype, numelOf(shape));
  let position = 0;
  const fill = (value: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(value)) {
        throw new ShapeError(`tensor: ragged nested array (expected a number at depth ${dim}, got an array)`);
      }
      storage[position++] = typeof value === 'boolean' ? Number(value) : value;
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim]) {
      throw new ShapeError(
        `tensor: ragged nested array (expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(value) ? value.length : 'a number'})`,
      );
    }
    for (const element of value) fill(element, dim + 1);
  };
  fill(data, 0);
  const finalShape = options.shape ?? shape;
  if (numelOf(finalShape) !== storage.length) {
    throw new ShapeError(`tensor: shape ${formatShape(finalShape)} holds ${numelOf(finalShape)} elements, but the data has ${storage.length}`);
  }
  return finish(Tensor.fromData(storage, finalShape), options);
}

function filled(op: string, shape: readonly number[], value: number | boolean, options: CreationOptions): Tensor {
  checkShape(shape, op);
  checkDType(options.dtype, op);
  const dtype = options.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const data = allocate(dtype, numelOf(shape));
  data.fill(Number(value));
  return finish(Tensor.fromData(data, shape), options);
}

/**
 * A tensor of `shape` filled with `value`, like `torch.full`; the dtype is
 * bool for a boolean value, else float32, unless given.
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * full([2, 2], 7, { dtype: 'int32' }); // [[7, 7], [7, 7]]
 * ```
 */
export function full(shape: readonly number[], value: number | boolean, options: CreationOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

/**
 * A tensor of zeros, like `torch.zeros` (float32 unless a dtype is given).
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * zeros([2, 3]);                     // float32 [2, 3]
 * zeros([4], { dtype: 'int32' });    // int32 [4]
 * ```
 */
export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

/**
 * A tensor of ones, like `torch.ones` (float32 unless a dtype is given).
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 */
export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/**
 * A tensor of zeros with `like`'s shape and (unless given) dtype, like `torch.zeros_like`.
 * @throws TypeError when `like` is not a Tensor.
 * @throws DTypeError for an unknown dtype.
 */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  checkTensor('zerosLike', 'like', like);
  return filled('zerosLike', like.shape, 0, { dtype: like.dtype, ...options });
}

/**
 * A tensor of ones with `like`'s shape and (unless given) dtype, like `torch.ones_like`.
 * @throws TypeError when `like` is not a Tensor.
 * @throws DTypeError for an unknown dtype.
 */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  checkTensor('onesLike', 'like', like);
  return filled('onesLike', like.shape, 1, { dtype: like.dtype, ...options });
}

/**
 * A tensor filled with `value`, with `like`'s shape and (unless given) dtype, like `torch.full_like`.
 * @throws TypeError when `like` is not a Tensor.
 * @throws DTypeError for an unknown dtype.
 */
export function fullLike(like: Tensor, value: number | boolean, options: CreationOptions = {}): Tensor {
  checkTensor('fullLike', 'like', like);
  return filled('fullLike', like.shape, value, { dtype: like.dtype, ...options });
}

/**
 * Like `torch.empty`; the elements are zeros, since typed arrays are always initialized.
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 */
export function empty(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('empty', shape, 0, options);
}

/**
 * The values `start, start + step, ...` below `end`, like `torch.arange`.
 * `arange(5)` is `[0, 1, 2, 3, 4]`. Integer arguments give float32 unless a
 * dtype is given (Strata's default dtype is float32).
 * @throws RangeError when a bound or the step is not finite, the step is 0,
 * or the step's sign points away from `end`.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * arange(5);                          // [0, 1, 2, 3, 4]
 * arange(1, 2, 0.25);                 // [1, 1.25, 1.5, 1.75]
 * arange(3, { dtype: 'int32' });      // int32 [0, 1, 2]
 * ```
 */
export function arange(end: number, options?: CreationOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: CreationOptions): Tensor;
export function arange(
  first: number,
  second?: number | CreationOptions,
  third?: number,
  fourth?: CreationOptions,
): Tensor {
  const [start, end, step, options] =
    typeof second === 'number' ? [first, second, third ?? 1, fourth ?? {}] : [0, first, 1, second ?? {}];
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step)) {
    throw new RangeError(`arange: start, end and step must be finite, got ${start}, ${end}, ${step}`);
  }
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) {
    throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  checkDType(options.dtype, 'arange');
  const count = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(options.dtype ?? 'float32', count);
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return finish(Tensor.fromData(data, [count]), options);
}

/**
 * `steps` values evenly spaced from `start` to `end` inclusive, like `torch.linspace`.
 * @throws RangeError when `steps` is not a non-negative integer.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, end: number, steps: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  checkDType(options.dtype, 'linspace');
  const data = allocate(options.dtype ?? 'float32', steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half from the end so both endpoints are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return finish(Tensor.fromData(data, [steps]), options);
}

/**
 * An identity matrix with `n` rows and `m` (default `n`) columns, like `torch.eye`.
 * @throws RangeError when `n` or `m` is not a non-negative integer.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * eye(2);    // [[1, 0], [0, 1]]
 * eye(2, 3); // [[1, 0, 0], [0, 1, 0]]
 * ```
 */
export function eye(n: number, m: number = n, options: CreationOptions = {}): Tensor {
  const result = filled('eye', [n, m], 0, options);
  const data = result.storage.data;
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return result;
}

function randomFloats(op: string, shape: readonly number[], options: RandomOptions, draw: (generator: Generator) => number): Tensor {
  checkShape(shape, op);
  checkDType(options.dtype, op);
  const dtype = options.dtype ?? 'float32';
  if (!isFloatingPoint(dtype)) throw new DTypeError(`${op}: expected a floating point dtype, got ${dtype}`);
  const generator = options.generator ?? defaultGenerator;
  const data = allocate(dtype, numelOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(generator);
  return finish(Tensor.fromData(data, shape), options);
}

/**
 * Uniform samples from [0, 1), drawn from the seeded generator, like `torch.rand`.
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown or non-floating dtype.
 * @example
 * ```ts
 * manualSeed(0);
 * rand([2, 3]); // the same numbers after every manualSeed(0)
 * ```
 */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloats('rand', shape, options, (generator) => generator.nextDouble());
}

/**
 * Standard normal samples, drawn from the seeded generator, like `torch.randn`.
 * @throws RangeError for a shape with negative or fractional sizes.
 * @throws DTypeError for an unknown or non-floating dtype.
 * @example
 * ```ts
 * const x = randn([8, 3], { requiresGrad: true });
 * const y = randn([8, 3], { dtype: 'float64', generator: new Generator(42) });
 * ```
 */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloats('randn', shape, options, (generator) => generator.nextNormal());
}

/**
 * Uniform samples from [0, 1) with `like`'s shape and (unless given) dtype, like `torch.rand_like`.
 * @throws TypeError when `like` is not a Tensor.
 * @throws DTypeError when the dtype is not floating point.
 */
export function randLike(like: Tensor, options: RandomOptions = {}): Tensor {
  checkTensor('randLike', 'like', like);
  return randomFloats('randLike', like.shape, { dtype: like.dtype, ...options }, (generator) => generator.nextDouble());
}

/**
 * Standard normal samples with `like`'s shape and (unless given) dtype, like `torch.randn_like`.
 * @throws TypeError when `like` is not a Tensor.
 * @throws DTypeError when the dtype is not floating point.
 */
export function randnLike(like: Tensor, options: RandomOptions = {}): Tensor {
  checkTensor('randnLike', 'like', like);
  return randomFloats('randnLike', like.shape, { dtype: like.dtype, ...options }, (generator) => generator.nextNormal());
}

/**
 * Uniform integers in [low, high), like `torch.randint(low, high, size)`.
 * The dtype defaults to `int32`.
 * @throws RangeError when `low` and `high` are not integers with `low < high`,
 * or the shape has negative or fractional sizes.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * randint(0, 10, [2, 3]); // int32 [2, 3] of values 0 to 9
 * ```
 */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkShape(shape, 'randint');
  checkDType(options.dtype, 'randint');
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new RangeError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  const generator = options.generator ?? defaultGenerator;
  const data = allocate(options.dtype ?? 'int32', numelOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = generator.nextInt(low, high);
  return finish(Tensor.fromData(data, shape), options);
}

/**
 * A random permutation of `0 .. n-1` (Fisher–Yates), `int32` by default, like `torch.randperm`.
 * @throws RangeError when `n` is not a non-negative integer.
 * @throws DTypeError for an unknown dtype or bool.
 * @example
 * ```ts
 * const order = randperm(5); // e.g. int32 [3, 0, 4, 1, 2]
 * ```
 */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  checkDType(options.dtype, 'randperm');
  if (options.dtype === 'bool') throw new DTypeError('randperm: not implemented for dtype bool (expected int32, float32 or float64)');
  const generator = options.generator ?? defaultGenerator;
  const data = allocate(options.dtype ?? 'int32', n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.nextInt(0, i + 1);
    const swap = data[i]!;
    data[i] = data[j]!;
    data[j] = swap;
  }
  return finish(Tensor.fromData(data, [n]), options);
}
