/** The element types a tensor can hold. PyTorch's int64 maps to `int32`. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that stores each dtype's elements. */
export interface DTypeStorageMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
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

/** Allocates a zero-filled typed array of the dtype's kind. */
export function allocate<D extends DType>(dtype: D, length: number): DTypeStorageMap[D];
export function allocate(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
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
 * (bool < int32 < float32 < float64).
 */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** The dtype an operation that must produce floats (division, exp) yields. */
export function toFloatingPoint(dtype: DType): DType {
  return isFloatingPoint(dtype) ? dtype : 'float32';
}
