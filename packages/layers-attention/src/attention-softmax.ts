/**
 * The softmax of attention scores over the keys (the last dimension), as one
 * differentiable op whose backward is one fused pass per row,
 * `∂x = y · (g − Σ g·y)`, instead of the four recorded elementwise ops and
 * a reduction that the generic softmax gradient costs. On `[N, heads, L, S]`
 * scores that is most of attention's non-product time. The forward is the
 * registry's max-shifted `softmax` kernel, so large scores stay finite.
 *
 * Under `createGraph` the backward is written with tensor ops instead, so
 * second derivatives still work.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, allocate, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** The softmax gradient along the last dimension: gradOutput and the softmax output y, same shape → y · (g − Σ g·y). */
    attentionSoftmaxBackward: (gradOutput: Tensor, output: Tensor) => Tensor;
  }
}

function attentionSoftmaxBackwardKernel(gradOutput: Tensor, output: Tensor): Tensor {
  const width = output.shape[output.ndim - 1]!;
  const g = gradOutput.contiguousData();
  const y = output.contiguousData();
  const result = allocate(output.dtype, y.length);
  for (let start = 0; start < y.length; start += width) {
    let dot = 0;
    for (let j = start; j < start + width; j++) dot += g[j]! * y[j]!;
    for (let j = start; j < start + width; j++) result[j] = y[j]! * (g[j]! - dot);
  }
  return Tensor.fromData(result, output.shape);
}

registerKernel('attentionSoftmaxBackward', attentionSoftmaxBackwardKernel);

/** softmax(scores) along the last dimension, with a fused backward. Scores are float and checked by the callers. */
export const attentionSoftmax: (scores: Tensor) => Tensor = defineOp({
  name: 'attentionSoftmax',
  forward(ctx: OpContext, scores: Tensor): Tensor {
    const output = getKernel('softmax')(scores, scores.ndim - 1);
    ctx.saveForBackward(output);
    return output;
  },
  backward(ctx, gradOutput) {
    const [output] = ctx.savedTensors as [Tensor];
    // Under createGraph, grad mode is on: record the gradient with tensor ops.
    if (isGradEnabled()) return [output.mul(gradOutput.sub(gradOutput.mul(output).sum(-1, true)))];
    return [getKernel('attentionSoftmaxBackward')(gradOutput, output)];
  },
});
