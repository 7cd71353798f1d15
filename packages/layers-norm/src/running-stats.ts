/**
 * In-place updates of the running statistics that batch and instance norm
 * keep, with PyTorch's momentum rule. They run inside the ops' forward
 * (grad mode off) and only after every check has passed.
 */
import type { Tensor } from '@strata/tensor';

/**
 * `running = (1 − momentum) · running + momentum · values`, written through
 * `running`'s strides (a 1-d tensor), bumping its storage version like every
 * in-place op.
 */
export function blendRunning(running: Tensor, values: Float64Array, momentum: number): void {
  const data = running.storage.data;
  const stride = running.strides[0] ?? 1;
  let position = running.offset;
  for (let i = 0; i < values.length; i++, position += stride) {
    data[position] = (1 - momentum) * data[position]! + momentum * values[i]!;
  }
  running.storage.version++;
}

/**
 * The unbiased variance (Bessel's `count / (count − 1)`) behind an
 * `invstd = 1 / √(variance + eps)`; never negative.
 */
export function unbiasedVariance(invstd: number, eps: number, count: number): number {
  const biased = Math.max(0, 1 / (invstd * invstd) - eps);
  return (biased * count) / (count - 1);
}
