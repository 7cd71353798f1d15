import type { TypedArray } from './dtype.js';

/**
 * The memory behind one or more tensors. Views share a storage; its version
 * counts in-place writes so autograd can tell when a tensor it saved for
 * backward was modified.
 */
export class Storage {
  /** The elements, in the storage's own order (tensors index into it by strides). */
  readonly data: TypedArray;
  /** Bumped by every in-place write. */
  version = 0;

  /** @throws TypeError unless `data` is a Float32Array, Float64Array, Int32Array or Uint8Array. */
  constructor(data: TypedArray) {
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array)) {
      const value: unknown = data;
      const kind = ArrayBuffer.isView(value) ? value.constructor.name : value === null ? 'null' : typeof value;
      throw new TypeError(`Storage: expected a Float32Array, Float64Array, Int32Array or Uint8Array, got ${kind}`);
    }
    this.data = data;
  }
}
