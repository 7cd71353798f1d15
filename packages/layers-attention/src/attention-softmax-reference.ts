/**
 * The default of the fused `attentionSoftmaxBackward` kernel, composed of
 * forward tensor ops: `y · (g − Σ g·y)` along the last dimension. It
 * registers under the backend name `'composite'` beneath the fused CPU
 * loop, so a backend that lacks the fused kernel (or a test that
 * unregisters it) still trains, with the same numbers up to rounding. A
 * backward that builds a graph of its own (`createGraph`) runs it too
 * (`compositeKernel`): its ops are recorded, so second derivatives work.
 */
import type { Tensor } from '@strata/tensor';

/** `attentionSoftmaxBackward` in forward ops: gradOutput g and the softmax output y, same shape → y · (g − Σ_last g·y). */
export function attentionSoftmaxBackwardComposite(gradOutput: Tensor, output: Tensor): Tensor {
  return output.mul(gradOutput.sub(gradOutput.mul(output).sum(-1, true)));
}
