/**
 * The softmax of attention scores over the keys (the last dimension), as one
 * differentiable op whose backward is one fused pass per row,
 * `∂x = y · (g − Σ g·y)`, instead of the four recorded elementwise ops and
 * a reduction that the generic softmax gradient costs. On `[N, heads, L, S]`
 * scores that is most of attention's non-product time. The forward is the
 * registry's max-shifted `softmax` kernel, so large scores stay finite.
 *
 * The fused loop has a default composed of forward ops
 * (attention-softmax-reference.ts) beneath it. Under `createGraph` the
 * backward runs that default (`compositeKernel`), whose ops are recorded,
 * so second derivatives still work.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, allocate, compositeKernel, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';
import { COMPOSITE_BACKEND } from '@strata/tensor/backend';
import { attentionSoftmaxBackwardComposite } from './attention-softmax-reference.js';

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

// The default composed of forward ops, then the fused CPU loop over it.
registerKernel('attentionSoftmaxBackward', attentionSoftmaxBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('attentionSoftmaxBackward', attentionSoftmaxBackwardKernel, { override: true });

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
    // Under createGraph (grad mode on in this backward) the composite default, whose ops are recorded; else the registry's kernel.
    const kernel = isGradEnabled() ? compositeKernel('attentionSoftmaxBackward') : getKernel('attentionSoftmaxBackward');
    return [kernel(gradOutput, output)];
  },
});
