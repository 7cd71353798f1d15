import type { Tensor } from '../tensor.js';
import { le } from './comparison.js';
import { where } from './elementwise.js';

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
