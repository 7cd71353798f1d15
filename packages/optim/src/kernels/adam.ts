import type { FloatArray } from '../state.js';

// Adam and its variants over flat typed arrays (see kernels/sgd.ts for the
// conventions). Weight decay is either L2 (`g += weightDecay·p`) or, when
// decoupled (`decay` = 1 − lr·weightDecay, AdamW), `p *= decay` before the
// update; callers pass `weightDecay` 0 or `decay` 1.

/**
 * One Adam/AdamW step of one parameter, as PyTorch's `_single_tensor_adam(w)`:
 * `m = β1·m + (1 − β1)·g`, `v = β2·v + (1 − β2)·g²`, with amsgrad
 * `vMax = max(vMax, v)`; `p −= stepSize · m / (√v / biasCorrection2Sqrt + eps)`
 * where `stepSize = lr / (1 − β1^t)`, `biasCorrection2Sqrt = √(1 − β2^t)`.
 * `maxExpAvgSq` is `null` without amsgrad.
 */
export function adamUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  maxExpAvgSq: FloatArray | null,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decay: number,
  maximize: boolean,
  stepSize: number,
  biasCorrection2Sqrt: number,
): void {
  const sign = maximize ? -1 : 1;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  if (maxExpAvgSq === null && weightDecay === 0) {
    // Adam without weight decay, and AdamW (decay may be 1).
    plainAdamStep(param, paramStart, grad, gradStart, count, expAvg, expAvgSq, beta1, beta2, eps, decay, sign, stepSize, biasCorrection2Sqrt);
    return;
  }
  for (let i = 0; i < count; i++) {
    let p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (decay !== 1) p *= decay;
    if (weightDecay !== 0) g += weightDecay * p;
    expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
    let v = expAvgSq[i]!;
    if (maxExpAvgSq !== null) {
      maxExpAvgSq[i] = Math.max(maxExpAvgSq[i]!, v);
      v = maxExpAvgSq[i]!;
    }
    param[paramStart + i] = p - stepSize * (expAvg[i]! / (Math.sqrt(v) / biasCorrection2Sqrt + eps));
  }
}

/**
 * Adam's common loop (no L2 decay, no AMSGrad), four elements a step with
 * their loads first so V8 keeps the chains independent; the same values as
 * one element a step (the state is read back after it is stored, rounded).
 */
function plainAdamStep(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  beta1: number,
  beta2: number,
  eps: number,
  decay: number,
  sign: number,
  stepSize: number,
  biasCorrection2Sqrt: number,
): void {
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const wide = count - (count % 4);
  let i = 0;
  for (; i < wide; i += 4) {
    const at = gradStart + i;
    const g0 = sign * grad[at]!;
    const g1 = sign * grad[at + 1]!;
    const g2 = sign * grad[at + 2]!;
    const g3 = sign * grad[at + 3]!;
    const m0 = beta1 * expAvg[i]! + keep1 * g0;
    const m1 = beta1 * expAvg[i + 1]! + keep1 * g1;
    const m2 = beta1 * expAvg[i + 2]! + keep1 * g2;
    const m3 = beta1 * expAvg[i + 3]! + keep1 * g3;
    const v0 = beta2 * expAvgSq[i]! + keep2 * g0 * g0;
    const v1 = beta2 * expAvgSq[i + 1]! + keep2 * g1 * g1;
    const v2 = beta2 * expAvgSq[i + 2]! + keep2 * g2 * g2;
    const v3 = beta2 * expAvgSq[i + 3]! + keep2 * g3 * g3;
    expAvg[i] = m0;
    expAvg[i + 1] = m1;
    expAvg[i + 2] = m2;
    expAvg[i + 3] = m3;
    expAvgSq[i] = v0;
    expAvgSq[i + 1] = v1;
    expAvgSq[i + 2] = v2;
    expAvgSq[i + 3] = v3;
    const p = paramStart + i;
    const p0 = decay * param[p]! - stepSize * (expAvg[i]! / (Math.sqrt(expAvgSq[i]!) / biasCorrection2Sqrt + eps));
    const p1 = decay * param[p + 1]! - stepSize * (expAvg[i + 1]! / (Math.sqrt(expAvgSq[i + 1]!) / biasCorrection2Sqrt + eps));
    const p2 = decay * param[p + 2]! - stepSize * (expAvg[i + 2]! / (Math.sqrt(expAvgSq[i + 2]!) / biasCorrection2Sqrt + eps));
    const p3 = decay * param[p + 3]! - stepSize * (expAvg[i + 3]! / (Math.sqrt(expAvgSq[i + 3]!) / biasCorrection2Sqrt + eps));
    param[p] = p0;
    param[p + 1] = p1;
    param[p + 2] = p2;
    param[p + 3] = p3;
  }
  for (; i < count; i++) {
    const p = decay * param[paramStart + i]!;
    const g = sign * grad[gradStart + i]!;
    expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
    param[paramStart + i] = p - stepSize * (expAvg[i]! / (Math.sqrt(expAvgSq[i]!) / biasCorrection2Sqrt + eps));
  }
}

/**
 * One Adamax step, as PyTorch's `_single_tensor_adamax`: `m = β1·m + (1 − β1)·g`,
 * `u = max(β2·u, |g| + eps)`, `p −= clr · m / u` with `clr = lr / (1 − β1^t)`.
 */
export function adamaxUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  expAvg: FloatArray,
  expInf: FloatArray,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  maximize: boolean,
  clr: number,
): void {
  const sign = maximize ? -1 : 1;
  const keep1 = 1 - beta1;
  if (weightDecay === 0) {
    for (let i = 0; i < count; i++) {
      const g = sign * grad[gradStart + i]!;
      expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
      expInf[i] = Math.max(beta2 * expInf[i]!, Math.abs(g) + eps);
      param[paramStart + i] = param[paramStart + i]! - clr * (expAvg[i]! / expInf[i]!);
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (weightDecay !== 0) g += weightDecay * p;
    expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
    expInf[i] = Math.max(beta2 * expInf[i]!, Math.abs(g) + eps);
    param[paramStart + i] = p - clr * (expAvg[i]! / expInf[i]!);
  }
}

/**
 * One NAdam step, as PyTorch's `_single_tensor_nadam`: Adam's moments, then
 * `p += gradCoefficient · g / d + averageCoefficient · m / d` with
 * `d = √(v / biasCorrection2) + eps`.
 */
export function nadamUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decay: number,
  maximize: boolean,
  biasCorrection2: number,
  gradCoefficient: number,
  averageCoefficient: number,
): void {
  const sign = maximize ? -1 : 1;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  if (weightDecay === 0) {
    for (let i = 0; i < count; i++) {
      const p = decay * param[paramStart + i]!;
      const g = sign * grad[gradStart + i]!;
      expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
      expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
      const denominator = Math.sqrt(expAvgSq[i]! / biasCorrection2) + eps;
      param[paramStart + i] = p + gradCoefficient * (g / denominator) + averageCoefficient * (expAvg[i]! / denominator);
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    let p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (decay !== 1) p *= decay;
    if (weightDecay !== 0) g += weightDecay * p;
    expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
    const denominator = Math.sqrt(expAvgSq[i]! / biasCorrection2) + eps;
    param[paramStart + i] = p + gradCoefficient * (g / denominator) + averageCoefficient * (expAvg[i]! / denominator);
  }
}

/**
 * One RAdam step, as PyTorch's `_single_tensor_radam`: Adam's moments, then
 * with `rect > 0` (the variance is tractable) `p −= (m / bc1)·lr·(√bc2 / (√v + eps))·rect`,
 * else (`rect = 0`) `p −= (m / bc1)·lr`.
 */
export function radamUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decay: number,
  maximize: boolean,
  lr: number,
  biasCorrection1: number,
  biasCorrection2Sqrt: number,
  rect: number,
): void {
  const sign = maximize ? -1 : 1;
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  if (weightDecay === 0 && rect > 0) {
    for (let i = 0; i < count; i++) {
      const p = decay * param[paramStart + i]!;
      const g = sign * grad[gradStart + i]!;
      expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
      expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
      param[paramStart + i] = p - (expAvg[i]! / biasCorrection1) * lr * (biasCorrection2Sqrt / (Math.sqrt(expAvgSq[i]!) + eps)) * rect;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    let p = param[paramStart + i]!;
    let g = sign * grad[gradStart + i]!;
    if (decay !== 1) p *= decay;
    if (weightDecay !== 0) g += weightDecay * p;
    expAvg[i] = beta1 * expAvg[i]! + keep1 * g;
    expAvgSq[i] = beta2 * expAvgSq[i]! + keep2 * g * g;
    const step = (expAvg[i]! / biasCorrection1) * lr;
    param[paramStart + i] = rect > 0 ? p - step * (biasCorrection2Sqrt / (Math.sqrt(expAvgSq[i]!) + eps)) * rect : p - step;
  }
}
