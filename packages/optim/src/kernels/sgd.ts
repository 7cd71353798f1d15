import type { FloatArray } from '../state.js';

// The update loops run over flat typed arrays: `param` from `paramStart` and
// `grad` from `gradStart`, `count` elements each; state arrays from index 0.
// Arithmetic is in doubles, rounded once when stored; a state value is read
// back after it is stored, so the update uses the rounded state as PyTorch's
// float32 tensors do.
//
// V8 does not hoist a test of a constant option out of a loop, and such
// tests cost about twice the loop's time, so each kernel has branch-free
// loops for its common configurations and one general loop for the rest;
// all compute the same values. (Like PyTorch, none adds `weightDecay · p`
// when the decay is 0, which matters for an infinite parameter.)

/**
 * One SGD step of one parameter, as PyTorch's `_single_tensor_sgd`:
 * `d = ±g + weightDecay·p`; with momentum `b = momentum·b + (1 − dampening)·d`
 * (`b = d` when `initialize`), `d = nesterov ? d + momentum·b : b`; `p −= lr·d`.
 * `buffer` is `null` when momentum is 0.
 */
export function sgdUpdate(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  buffer: FloatArray | null,
  initialize: boolean,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  maximize: boolean,
): void {
  const sign = maximize ? -1 : 1;
  const keep = 1 - dampening;
  if (buffer === null && weightDecay === 0) {
    plainStep(param, paramStart, grad, gradStart, count, lr * sign);
    return;
  }
  if (buffer !== null && !initialize && !nesterov) {
    if (weightDecay === 0) {
      momentumStep(param, paramStart, grad, gradStart, count, buffer, lr, momentum, keep * sign);
    } else {
      for (let i = 0; i < count; i++) {
        const p = param[paramStart + i]!;
        buffer[i] = momentum * buffer[i]! + keep * (sign * grad[gradStart + i]! + weightDecay * p);
        param[paramStart + i] = p - lr * buffer[i]!;
      }
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = param[paramStart + i]!;
    let d = sign * grad[gradStart + i]!;
    if (weightDecay !== 0) d += weightDecay * p;
    if (buffer === null) {
      param[paramStart + i] = p - lr * d;
      continue;
    }
    buffer[i] = initialize ? d : momentum * buffer[i]! + keep * d;
    const b = buffer[i]!;
    param[paramStart + i] = p - lr * (nesterov ? d + momentum * b : b);
  }
}

// The two common loops take four elements a step, their loads first: V8
// then keeps the four chains independent (measured about 1.5–2× faster than
// one element a step on Float32Array).

/** `p −= rate · g`. */
function plainStep(param: FloatArray, paramStart: number, grad: FloatArray, gradStart: number, count: number, rate: number): void {
  const wide = count - (count % 4);
  let i = 0;
  for (; i < wide; i += 4) {
    const p = paramStart + i;
    const g = gradStart + i;
    const p0 = param[p]! - rate * grad[g]!;
    const p1 = param[p + 1]! - rate * grad[g + 1]!;
    const p2 = param[p + 2]! - rate * grad[g + 2]!;
    const p3 = param[p + 3]! - rate * grad[g + 3]!;
    param[p] = p0;
    param[p + 1] = p1;
    param[p + 2] = p2;
    param[p + 3] = p3;
  }
  for (; i < count; i++) param[paramStart + i] = param[paramStart + i]! - rate * grad[gradStart + i]!;
}

/** `b = momentum · b + scale · g; p −= lr · b` (the stored, rounded `b`). */
function momentumStep(
  param: FloatArray,
  paramStart: number,
  grad: FloatArray,
  gradStart: number,
  count: number,
  buffer: FloatArray,
  lr: number,
  momentum: number,
  scale: number,
): void {
  const wide = count - (count % 4);
  let i = 0;
  for (; i < wide; i += 4) {
    const p = paramStart + i;
    const g = gradStart + i;
    const b0 = momentum * buffer[i]! + scale * grad[g]!;
    const b1 = momentum * buffer[i + 1]! + scale * grad[g + 1]!;
    const b2 = momentum * buffer[i + 2]! + scale * grad[g + 2]!;
    const b3 = momentum * buffer[i + 3]! + scale * grad[g + 3]!;
    buffer[i] = b0;
    buffer[i + 1] = b1;
    buffer[i + 2] = b2;
    buffer[i + 3] = b3;
    const p0 = param[p]! - lr * buffer[i]!;
    const p1 = param[p + 1]! - lr * buffer[i + 1]!;
    const p2 = param[p + 2]! - lr * buffer[i + 2]!;
    const p3 = param[p + 3]! - lr * buffer[i + 3]!;
    param[p] = p0;
    param[p + 1] = p1;
    param[p + 2] = p2;
    param[p + 3] = p3;
  }
  for (; i < count; i++) {
    buffer[i] = momentum * buffer[i]! + scale * grad[gradStart + i]!;
    param[paramStart + i] = param[paramStart + i]! - lr * buffer[i]!;
  }
}
