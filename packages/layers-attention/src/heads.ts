/**
 * The head layout of multi-head attention, as two differentiable ops whose
 * kernels move the data once:
 *
 * - `splitHeads(x [N, L, P·E], P, H)` → P tensors `[N, H, L, E/H]`: the
 *   projections (P = 3 for the packed q/k/v product of self-attention) cut
 *   into heads, each contiguous so that the batched products read it in order;
 * - `mergeHeads(x₁, …, x_P)`, each `[N, H, L, d]` → `[N, L, P·H·d]`: the heads
 *   side by side again, the parts after one another.
 *
 * Each is the other's gradient, so the backward of either is one pass too
 * (the three gradients of a packed q/k/v split merge straight into one
 * tensor, no concatenation after), instead of the transposes, copies,
 * narrows and zero-padded sums the same moves cost as generic view ops. The
 * gradient of a single merged part is not even a pass: it is `[N, L, H·d]`
 * seen as `[N, H, L, d]` through strides, which the batched products read
 * as they are. Written with each other and views, the backwards are
 * themselves differentiable.
 *
 * The `wasm` backend runs both moves on attention.wat (wasm/heads-wasm.ts).
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, type TypedArray, allocate, getKernel, registerKernel } from '@strata/tensor';
import { WASM_BACKEND, attentionWasm } from './wasm/attention-wasm.js';
import { mergeHeadsWasmKernel, splitHeadsWasmKernel } from './wasm/heads-wasm.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** x [N, L, P·E] → P contiguous tensors [N, H, L, E/H]. */
    splitHeads: (x: Tensor, parts: number, heads: number) => Tensor[];
    /** P tensors [N, H, L, d] of one shape and dtype → contiguous [N, L, P·H·d]: each part's heads side by side, the parts after one another. */
    mergeHeads: (parts: readonly Tensor[]) => Tensor;
  }
}

/** Reads each row of x once, writing its head pieces to the parts in turn. */
function splitHeadsKernel(x: Tensor, parts: number, heads: number): Tensor[] {
  const [batch, length, width] = x.shape as [number, number, number];
  const embed = width / parts;
  const headDim = embed / heads;
  const source = x.contiguousData();
  const targets: TypedArray[] = Array.from({ length: parts }, () => allocate(x.dtype, batch * length * embed));
  for (let n = 0; n < batch; n++) {
    for (let l = 0; l < length; l++) {
      let s = (n * length + l) * width;
      for (let part = 0; part < parts; part++) {
        const target = targets[part]!;
        for (let h = 0; h < heads; h++) {
          const t = ((n * heads + h) * length + l) * headDim;
          for (let d = 0; d < headDim; d++) target[t + d] = source[s++]!;
        }
      }
    }
  }
  return targets.map((target) => Tensor.fromData(target, [batch, heads, length, headDim]));
}

/**
 * Reads each part through its strides: the key's gradient arrives as a transposed view (the gradient of
 * `kᵀ` in the scores' product), and gathering it here saves a contiguous copy before the move.
 */
function mergeHeadsKernel(parts: readonly Tensor[]): Tensor {
  const [batch, heads, length, headDim] = parts[0]!.shape as [number, number, number, number];
  const embed = heads * headDim;
  const width = parts.length * embed;
  const target = allocate(parts[0]!.dtype, batch * length * width);
  parts.forEach((x, part) => {
    const [batchStride, headStride, lengthStride, dimStride] = x.strides as [number, number, number, number];
    const source = x.storage.data;
    for (let n = 0; n < batch; n++) {
      for (let h = 0; h < heads; h++) {
        for (let l = 0; l < length; l++) {
          const t = (n * length + l) * width + part * embed + h * headDim;
          const s = x.offset + n * batchStride + h * headStride + l * lengthStride;
          if (dimStride === 1) for (let d = 0; d < headDim; d++) target[t + d] = source[s + d]!;
          else for (let d = 0; d < headDim; d++) target[t + d] = source[s + d * dimStride]!;
        }
      }
    }
  });
  return Tensor.fromData(target, [batch, length, width]);
}

registerKernel('splitHeads', splitHeadsKernel);
registerKernel('mergeHeads', mergeHeadsKernel);
// The WebAssembly SIMD moves for float32, where this runtime compiles them.
if (attentionWasm() !== undefined) {
  registerKernel('splitHeads', splitHeadsWasmKernel, { backend: WASM_BACKEND, override: true });
  registerKernel('mergeHeads', mergeHeadsWasmKernel, { backend: WASM_BACKEND, override: true });
}

/**
 * P tensors `[N, H, L, d]` → `[N, L, P·H·d]`, differentiable: the gradient is
 * `splitHeads` of the output's gradient, or for one part that gradient seen as `[N, H, L, d]`.
 */
export const mergeHeads: (...parts: Tensor[]) => Tensor = defineOp({
  name: 'mergeHeads',
  forward(ctx: OpContext<{ shape: readonly number[]; parts: number }>, ...parts: Tensor[]): Tensor {
    ctx.state.shape = parts[0]!.shape;
    ctx.state.parts = parts.length;
    return getKernel('mergeHeads')(parts);
  },
  backward(ctx, gradOutput) {
    const [batch, heads, length, headDim] = ctx.state.shape as [number, number, number, number];
    if (ctx.state.parts === 1) return [gradOutput.reshape([batch, length, heads, headDim]).transpose(1, 2)];
    return splitHeads(gradOutput, ctx.state.parts, heads);
  },
});

/** `[N, L, P·E]` → P tensors `[N, H, L, E/H]`, differentiable (its gradient is `mergeHeads` of them all). */
export const splitHeads: (x: Tensor, parts: number, heads: number) => Tensor[] = defineOp({
  name: 'splitHeads',
  forward(_ctx: OpContext, x: Tensor, parts: number, heads: number): Tensor[] {
    return getKernel('splitHeads')(x, parts, heads);
  },
  backward(_ctx, gradOutputs) {
    return [mergeHeads(...(gradOutputs as readonly Tensor[])), null, null];
  },
});
