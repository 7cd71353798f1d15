/**
 * Reusable scratch arrays for the convolution kernels' column matrices and
 * staging rows, so that a training step does not allocate (and the garbage
 * collector free) megabytes of temporaries on every call. One array per
 * slot and dtype, grown on demand; the kernels run to completion before
 * returning, so a slot is never in use twice at once. Arrays above
 * {@link MAX_KEPT} elements are not kept.
 */
import { type DType, allocate } from '@strata/tensor/backend';

type FloatArray = Float32Array | Float64Array;

/** The scratch uses of one kernel call, each with its own array. */
export type ScratchSlot = 'columns' | 'staging';

/** The largest array kept between calls: 16 Mi elements (64 MiB of float32). */
const MAX_KEPT = 1 << 24;

const kept = new Map<string, FloatArray>();

/**
 * An array of at least `length` elements of `dtype` for `slot`, holding
 * whatever its last use left (callers clear what they need cleared).
 */
export function scratch(dtype: DType, slot: ScratchSlot, length: number): FloatArray {
  const key = `${dtype}:${slot}`;
  const current = kept.get(key);
  if (current !== undefined && current.length >= length) return current;
  const fresh = allocate(dtype, length) as FloatArray;
  if (length <= MAX_KEPT) kept.set(key, fresh);
  return fresh;
}
