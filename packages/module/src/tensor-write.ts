import { type Tensor, setGradEnabled } from '@strata/tensor';

/**
 * Runs `body` with gradient recording off, like `noGrad` from
 * `@strata/autograd`; used here so that initializers and state-dict loading
 * need only the tensor package at run time.
 */
export function withoutGrad<T>(body: () => T): T {
  const previous = setGradEnabled(false);
  try {
    return body();
  } finally {
    setGradEnabled(previous);
  }
}

/**
 * Writes `values` (row-major, one per element of `target`) into `target`'s
 * storage through its strides, converting as assignment to the dtype's typed
 * array does (bool stores "nonzero"), and bumps the storage version like
 * every in-place op.
 */
export function writeElements(target: Tensor, values: ArrayLike<number>): void {
  const data = target.storage.data;
  const rank = target.shape.length;
  const toBool = target.dtype === 'bool';
  if (rank === 0) {
    data[target.offset] = toBool ? (values[0] !== 0 ? 1 : 0) : values[0]!;
    target.storage.version++;
    return;
  }
  const count = target.numel();
  if (count > 0) {
    if (target.isContiguous()) {
      const offset = target.offset;
      if (toBool) {
        for (let i = 0; i < count; i++) data[offset + i] = values[i] !== 0 ? 1 : 0;
      } else {
        for (let i = 0; i < count; i++) data[offset + i] = values[i]!;
      }
    } else {
      writeStrided(target, values, toBool);
    }
  }
  target.storage.version++;
}

function writeStrided(target: Tensor, values: ArrayLike<number>, toBool: boolean): void {
  const data = target.storage.data;
  const { shape, strides } = target;
  const rank = shape.length;
  const innerSize = shape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  const count = target.numel();
  let position = target.offset;
  for (let read = 0; read < count; read += innerSize) {
    if (toBool) {
      for (let i = 0, p = position; i < innerSize; i++, p += innerStride) data[p] = values[read + i] !== 0 ? 1 : 0;
    } else {
      for (let i = 0, p = position; i < innerSize; i++, p += innerStride) data[p] = values[read + i]!;
    }
    // Advance the odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      position += strides[d]!;
      if (index[d]! < shape[d]!) break;
      position -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/** Sets every element of `target` to `value` in place (bumping the storage version). */
export function fillElements(target: Tensor, value: number): void {
  const values = new Float64Array(target.numel());
  values.fill(value);
  writeElements(target, values);
}

/**
 * Copies `source`'s elements (same number of elements, row-major) into
 * `target` in place. A source that shares `target`'s storage is read into a
 * copy first, so overlapping views copy correctly.
 */
export function copyElements(target: Tensor, source: Tensor): void {
  const values = source.storage === target.storage ? source.toTypedArray() : source.contiguousData();
  writeElements(target, values);
}
