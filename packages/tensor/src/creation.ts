import { type DType, type TypedArray, allocate, dtypeOfArray, isDType, isFloatingPoint } from './dtype.js';
import { DTypeError, ShapeError, formatShape } from './errors.js';
import { type Generator, defaultGenerator } from './random.js';
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
    throw new DTypeError(`${op}: unknown dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`);
  }
}

function finish(result: Tensor, options: CreationOptions): Tensor {
  if (options.requiresGrad === true) result.requiresGrad = true;
  return result;
}

/**
 * Creates a tensor from nested arrays, a typed array (with an optional
 * `shape`) or a single number (a 0-d tensor). The data is copied.
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

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, options: CreationOptions = {}): Tensor {
  return filled('full', shape, value, options);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** A tensor of zeros with `like`'s shape and (unless given) dtype. */
export function zerosLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return filled('zerosLike', like.shape, 0, { dtype: like.dtype, ...options });
}

/** A tensor of ones with `like`'s shape and (unless given) dtype. */
export function onesLike(like: Tensor, options: CreationOptions = {}): Tensor {
  return filled('onesLike', like.shape, 1, { dtype: like.dtype, ...options });
}

/** A tensor filled with `value`, with `like`'s shape and (unless given) dtype. */
export function fullLike(like: Tensor, value: number | boolean, options: CreationOptions = {}): Tensor {
  return filled('fullLike', like.shape, value, { dtype: like.dtype, ...options });
}

/** Like `torch.empty`; the elements are zeros, since typed arrays are always initialized. */
export function empty(shape: readonly number[], options: CreationOptions = {}): Tensor {
  return filled('empty', shape, 0, options);
}

/**
 * The values `start, start + step, ...` below `end`, like `torch.arange`.
 * `arange(5)` is `[0, 1, 2, 3, 4]`. Integer arguments give float32 unless a
 * dtype is given (Strata's default dtype is float32).
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

/** `steps` values evenly spaced from `start` to `end` inclusive, like `torch.linspace`. */
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

/** An identity matrix with `n` rows and `m` (default `n`) columns. */
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

/** Uniform samples from [0, 1), drawn from the seeded generator. */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloats('rand', shape, options, (generator) => generator.nextDouble());
}

/** Standard normal samples, drawn from the seeded generator. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloats('randn', shape, options, (generator) => generator.nextNormal());
}

/** Uniform samples from [0, 1) with `like`'s shape and dtype. */
export function randLike(like: Tensor, options: RandomOptions = {}): Tensor {
  return rand(like.shape, { dtype: like.dtype, ...options });
}

/** Standard normal samples with `like`'s shape and dtype. */
export function randnLike(like: Tensor, options: RandomOptions = {}): Tensor {
  return randn(like.shape, { dtype: like.dtype, ...options });
}

/**
 * Uniform integers in [low, high), like `torch.randint(low, high, size)`.
 * The dtype defaults to `int32`.
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

/** A random permutation of `0 .. n-1` (Fisher–Yates), `int32` by default. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  checkDType(options.dtype, 'randperm');
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
