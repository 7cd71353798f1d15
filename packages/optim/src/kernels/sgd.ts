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
    const rate = lr * sign;
    for (let i = 0; i < count; i++) param[paramStart + i] = param[paramStart + i]! - rate * grad[gradStart + i]!;
    return;
  }
  if (buffer !== null && !initialize && !nesterov) {
    if (weightDecay === 0) {
      for (let i = 0; i < count; i++) {
        buffer[i] = momentum * buffer[i]! + keep * (sign * grad[gradStart + i]!);
        param[paramStart + i] = param[paramStart + i]! - lr * buffer[i]!;
      }
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
