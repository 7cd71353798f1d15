/**
 * The input projection of a whole sequence, `x · W_ihᵀ`, as one op whose
 * backward returns both gradients laid out like their inputs: `grad · W_ih`
 * [rows, F] and `gradᵀ · x` [G, F]. Written as `matmul(x, W_ih.t())`, the
 * weight's gradient would arrive as the transpose of an [F, G] product, a
 * strided view that the parameter's gradient then copies element by element.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { type Tensor, matmul } from '@strata/tensor';

/** `x` [rows, F] times the transpose of `weight` [G, F] → [rows, G]. */
export const inputProjection: (x: Tensor, weight: Tensor) => Tensor = defineOp({
  name: 'inputProjection',
  forward(ctx: OpContext, x: Tensor, weight: Tensor): Tensor {
    ctx.saveForBackward(x, weight);
    return matmul(x, weight.t());
  },
  backward(ctx, gradOutput) {
    const [x, weight] = ctx.savedTensors as [Tensor, Tensor];
    const needs = ctx.needsInputGrad;
    return [needs[0] ? matmul(gradOutput, weight) : null, needs[1] ? matmul(gradOutput.t(), x) : null];
  },
});
