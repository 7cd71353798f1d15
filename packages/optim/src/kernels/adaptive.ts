import type { FloatArray } from '../state.js';

// RMSprop, Adagrad and Adadelta over flat typed arrays (see kernels/sgd.ts
// for the conventions and the branch-free loops).

/**
 * One RMSprop step, as PyTorch's `_single_tensor_rmsprop`:
 * `s = α·s + (1 − α)·g²`; centered: `a = α·a + (1 − α)·g`, `avg = √(s − a²) + eps`,
 * else `avg = √s + eps`; with momentum `b = momentum·b + g / avg`, `p −= lr·b`,
 * else `p −= lr · g / avg`. `gradAvg` is `null` unless centered, `buffer` unless momentum > 0.
 */
export function rmspropUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  squareAvg: FloatArray,
  gradAvg: FloatArray | null,
  buffer: FloatArray | null,
  lr: number,
  alpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const keep = 1 - alpha;
  if (weightDecay === 0 && gradAvg === null && buffer === null) {
    for (let i = 0; i < count; i++) {
      const g = sign * grad[gradStart + i]!;
      squareAvg[i] = alpha * squareAvg[i]! + keep * g * g;
      param[paramStart + i] = param[paramStart + i]! - lr * (g / (Math.sqrt(squareAvg[i]!) + eps));
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (weightDecay !== 0) g += weightDecay * p;
    squareAvg[i] = alpha * squareAvg[i]! + keep * g * g;
    let average: number;
    if (gradAvg !== null) {
      gradAvg[i] = alpha * gradAvg[i]! + keep * g;
      const mean = gradAvg[i]!;
      average = Math.sqrt(squareAvg[i]! - mean * mean) + eps;
    } else {
      average = Math.sqrt(squareAvg[i]!) + eps;
    }
    if (buffer !== null) {
      buffer[i] = momentum * buffer[i]! + g / average;
      param[paramStart + i] = p - lr * buffer[i]!;
    } else {
      param[paramStart + i] = p - lr * (g / average);
    }
  }
}

/**
 * One Adagrad step, as PyTorch's `_single_tensor_adagrad`: `s += g²`,
 * `p −= clr · g / (√s + eps)` with `clr = lr / (1 + (t − 1)·lrDecay)`.
 */
export function adagradUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  sum: FloatArray,
  clr: number,
  eps: number,
  weightDecay: number,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  if (weightDecay === 0) {
    for (let i = 0; i < count; i++) {
      const g = sign * grad[gradStart + i]!;
      sum[i] = sum[i]! + g * g;
      param[paramStart + i] = param[paramStart + i]! - clr * (g / (Math.sqrt(sum[i]!) + eps));
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (weightDecay !== 0) g += weightDecay * p;
    sum[i] = sum[i]! + g * g;
    param[paramStart + i] = p - clr * (g / (Math.sqrt(sum[i]!) + eps));
  }
}

/**
 * One Adadelta step, as PyTorch's `_single_tensor_adadelta`:
 * `s = ρ·s + (1 − ρ)·g²`, `δ = √(u + eps) / √(s + eps) · g`,
 * `u = ρ·u + (1 − ρ)·δ²`, `p −= lr·δ`.
 */
export function adadeltaUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  squareAvg: FloatArray,
  accDelta: FloatArray,
  lr: number,
  rho: number,
  eps: number,
  weightDecay: number,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const keep = 1 - rho;
  if (weightDecay === 0) {
    for (let i = 0; i < count; i++) {
      const g = sign * grad[gradStart + i]!;
      squareAvg[i] = rho * squareAvg[i]! + keep * g * g;
      const delta = (Math.sqrt(accDelta[i]! + eps) / Math.sqrt(squareAvg[i]! + eps)) * g;
      accDelta[i] = rho * accDelta[i]! + keep * delta * delta;
      param[paramStart + i] = param[paramStart + i]! - lr * delta;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (weightDecay !== 0) g += weightDecay * p;
    squareAvg[i] = rho * squareAvg[i]! + keep * g * g;
    const delta = (Math.sqrt(accDelta[i]! + eps) / Math.sqrt(squareAvg[i]! + eps)) * g;
    accDelta[i] = rho * accDelta[i]! + keep * delta * delta;
    param[paramStart + i] = p - lr * delta;
  }
}
