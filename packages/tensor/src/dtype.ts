import { DTypeError } from './errors.js';

/** The element types a tensor can hold. PyTorch's int64 maps to `int32`. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores each dtype's elements. */
export interface DTypeStorageMap {
  /** 32-bit floats, the default dtype. */
  float32: Float32Array;
  /** 64-bit floats, as `gradcheck` uses. */
  float64: Float64Array;
  /** 32-bit integers: indices and counts (PyTorch's int64 maps here). */
  int32: Int32Array;
  /** Booleans, one byte each: 0 is false, 1 is true. */
  bool: Uint8Array;
}

/** Any typed array a tensor may be stored in. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype, in promotion order (a later entry wins). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** Whether `value` names a dtype Strata knows. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/** Whether the dtype holds floating-point numbers (and so can carry gradients). */
export function isFloatingPoint(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * Allocates a zero-filled typed array of the dtype's kind.
 * @throws DTypeError for an unknown dtype.
 * @throws RangeError when `length` is not a non-negative integer.
 * @example
 * ```ts
 * allocate('int32', 3); // Int32Array [0, 0, 0]
 * ```
 */
export function allocate<D extends DType>(dtype: D, length: number): DTypeStorageMap[D];
export function allocate(dtype: DType, length: number): TypedArray {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`allocate: length must be a non-negative integer, got ${length}`);
  }
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
    default:
      throw unknownDType('allocate', dtype);
  }
}

/** Below this many bytes a zero-filled array costs no more than an uninitialized one. */
const UNINITIALIZED_MIN_BYTES = 1 << 18;

/** Node's `Buffer`, where the runtime has one: its `allocUnsafeSlow` skips the zero fill. */
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;

/**
 * A typed array of the dtype's kind whose every element the caller writes
 * before anyone reads it (a kernel's output): in Node, large ones come
 * uninitialized, since zero-filling memory that is overwritten at once
 * costs as much as the write (measured: a fresh 16 MB Float32Array written
 * once, 5.5 ms zeroed, 1.8 ms not). Elsewhere it is {@link allocate}.
 * @throws DTypeError for an unknown dtype.
 * @throws RangeError when `length` is not a non-negative integer.
 * @example
 * ```ts
 * const output = allocateForOverwrite('float32', 1 << 20); // then write every element
 * ```
 */
export function allocateForOverwrite<D extends DType>(dtype: D, length: number): DTypeStorageMap[D];
export function allocateForOverwrite(dtype: DType, length: number): TypedArray {
  const bytesPerElement = dtype === 'float64' ? 8 : dtype === 'bool' ? 1 : 4;
  if (nodeBuffer === undefined || !Number.isInteger(length) || length * bytesPerElement < UNINITIALIZED_MIN_BYTES) {
    return allocate(dtype, length);
  }
  // allocUnsafeSlow gives a buffer of its own (never a slice of Node's pool), so offset 0 and no sharing.
  const buffer = nodeBuffer.allocUnsafeSlow(length * bytesPerElement).buffer as ArrayBuffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, length);
    case 'float64':
      return new Float64Array(buffer, 0, length);
    case 'int32':
      return new Int32Array(buffer, 0, length);
    case 'bool':
      return new Uint8Array(buffer, 0, length);
    default:
      throw unknownDType('allocateForOverwrite', dtype);
  }
}

/** The error for a dtype Strata does not know. */
export function unknownDType(op: string, dtype: unknown): DTypeError {
  return new DTypeError(`${op}: unknown dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`);
}

/** The dtype whose storage is `array`'s kind. */
export function dtypeOfArray(array: TypedArray): DType {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  return 'bool';
}

/**
 * PyTorch's type promotion between two tensors: the result holds both
 * (bool < int32 < float32 < float64), like `torch.promote_types`.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * promoteTypes('int32', 'float32'); // 'float32'
 * ```
 */
export function promoteTypes(a: DType, b: DType): DType {
  const rankA = DTYPES.indexOf(a);
  const rankB = DTYPES.indexOf(b);
  if (rankA < 0 || rankB < 0) throw unknownDType('promoteTypes', rankA < 0 ? a : b);
  return rankA >= rankB ? a : b;
}

/** The dtype an operation that must produce floats (division, exp) yields. */
export function toFloatingPoint(dtype: DType): DType {
  return isFloatingPoint(dtype) ? dtype : 'float32';
}
