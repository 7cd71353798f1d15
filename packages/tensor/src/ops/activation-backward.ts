import type { Tensor } from '../tensor.js';
import { ge, gt, le, logicalOr } from './comparison.js';
import { mul, where } from './elementwise.js';

/**
 * The defaults of the activations' fused backward kernels, written with
 * forward ops. ops/activation.ts registers them under the backend name
 * `composite`, beneath the fused CPU kernels (docs/BACKENDS.md): a backend
 * that lacks the fused kernel still trains, and the conformance suite checks
 * the fused kernel against its composite.
 */

/** The backend name of the defaults composed of forward ops. */
export const COMPOSITE_BACKEND = 'composite';

/** `reluBackward` in forward ops: `where(output <= 0, 0, gradOutput)`, as autograd's relu formula once was. */
export function reluBackwardComposite(gradOutput: Tensor, output: Tensor): Tensor {
  return where(le(output, 0), 0, gradOutput);
}

/** `hardtanhBackward` in forward ops: `where(input <= minVal or input >= maxVal, 0, gradOutput)`. */
export function hardtanhBackwardComposite(gradOutput: Tensor, input: Tensor, minVal: number, maxVal: number): Tensor {
  return where(logicalOr(le(input, minVal), ge(input, maxVal)), 0, gradOutput);
}

/** `leakyReluBackward` in forward ops: `where(input > 0, gradOutput, gradOutput · negativeSlope)`. */
export function leakyReluBackwardComposite(gradOutput: Tensor, input: Tensor, negativeSlope: number): Tensor {
  return where(gt(input, 0), gradOutput, mul(gradOutput, negativeSlope));
}
