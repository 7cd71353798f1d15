/**
 * The head layout of multi-head attention, as two differentiable ops whose
 * kernels move the data once:
 *
 * - `splitHeads(x [N, L, P·E], P, H)` → P tensors `[N, H, L, E/H]`: the
 *   projections (P = 3 for the packed q/k/v product of self-attention) cut
 *   into heads, each contiguous so that the batched products read it in order;
 * - `mergeHeads(x [N, H, L, d])` → `[N, L, H·d]`: the heads side by side again.
 *
 * Each is the other's gradient, so the backward of either is one pass too
 * (plus one concatenation for P > 1), instead of the transposes, copies,
 * narrows and zero-padded sums the same moves cost as generic view ops.
 * Written with each other, the backwards are themselves differentiable.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, allocate, cat, getKernel, registerKernel } from '@strata/tensor';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** x [N, L, P·E] → P contiguous tensors [N, H, L, E/H]. */
    splitHeads: (x: Tensor, parts: number, heads: number) => Tensor[];
    /** x [N, H, L, d] → contiguous [N, L, H·d]. */
    mergeHeads: (x: Tensor) => Tensor;
  }
}

function splitHeadsKernel(x: Tensor, parts: number, heads: number): Tensor[] {
  const [batch, length, width] = x.shape as [number, number, number];
  const embed = width / parts;
  const headDim = embed / heads;
  const source = x.contiguousData();
  const outputs: Tensor[] = [];
  for (let part = 0; part < parts; part++) {
    const target = allocate(x.dtype, batch * length * embed);
    let t = 0;
    for (let n = 0; n < batch; n++) {
      for (let h = 0; h < heads; h++) {
        for (let l = 0; l < length; l++) {
          const s = (n * length + l) * width + part * embed + h * headDim;
          for (let d = 0; d < headDim; d++) target[t++] = source[s + d]!;
        }
      }
    }
    outputs.push(Tensor.fromData(target, [batch, heads, length, headDim]));
  }
  return outputs;
}

/**
 * Reads x through its strides: the key's gradient arrives as a transposed view (the gradient of
 * `kᵀ` in the scores' product), and gathering it here saves a contiguous copy before the move.
 */
function mergeHeadsKernel(x: Tensor): Tensor {
  const [batch, heads, length, headDim] = x.shape as [number, number, number, number];
  const [batchStride, headStride, lengthStride, dimStride] = x.strides as [number, number, number, number];
  const width = heads * headDim;
  const source = x.storage.data;
  const target = allocate(x.dtype, batch * length * width);
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < heads; h++) {
      for (let l = 0; l < length; l++) {
        const t = (n * length + l) * width + h * headDim;
        const s = x.offset + n * batchStride + h * headStride + l * lengthStride;
        if (dimStride === 1) for (let d = 0; d < headDim; d++) target[t + d] = source[s + d]!;
        else for (let d = 0; d < headDim; d++) target[t + d] = source[s + d * dimStride]!;
      }
    }
  }
  return Tensor.fromData(target, [batch, length, width]);
}

registerKernel('splitHeads', splitHeadsKernel);
registerKernel('mergeHeads', mergeHeadsKernel);

/** `[N, H, L, d]` → `[N, L, H·d]`, differentiable (its gradient is `splitHeads`). */
export const mergeHeads: (x: Tensor) => Tensor = defineOp({
  name: 'mergeHeads',
  forward(ctx: OpContext<{ heads: number }>, x: Tensor): Tensor {
    ctx.state.heads = x.shape[1]!;
    return getKernel('mergeHeads')(x);
  },
  backward(ctx, gradOutput) {
    return [splitHeads(gradOutput, 1, ctx.state.heads)[0]!];
  },
});

/** `[N, L, P·E]` → P tensors `[N, H, L, E/H]`, differentiable (its gradient is `mergeHeads` of each). */
export const splitHeads: (x: Tensor, parts: number, heads: number) => Tensor[] = defineOp({
  name: 'splitHeads',
  forward(_ctx: OpContext, x: Tensor, parts: number, heads: number): Tensor[] {
    return getKernel('splitHeads')(x, parts, heads);
  },
  backward(_ctx, gradOutputs) {
    const merged = (gradOutputs as readonly Tensor[]).map((gradient) => mergeHeads(gradient));
    return [merged.length === 1 ? merged[0]! : cat(merged, 2), null, null];
  },
});
