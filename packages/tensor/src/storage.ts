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

  constructor(data: TypedArray) {
    this.data = data;
  }
}
