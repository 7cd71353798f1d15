/**
 * The attention weights from the raw scores `q·kᵀ` in one pass per row:
 * `softmax(scale · scores + mask₁ + mask₂)` along the keys, max-shifted.
 *
 * Folding the scale and the masks into the softmax saves, on `[N, heads, L,
 * S]` scores, a scaled copy of the queries (and its backward), the
 * `[N, heads, L, S]` sum that adding a mask would materialize, and the float64
 * staging of the registry's generic softmax. The masks are read through
 * their broadcast strides, so a `[L, S]` attention mask and a `[N, 1, 1, S]`
 * key-padding mask are never expanded to the scores' shape.
 *
 * The backward is one fused pass per row too, `scale · y · (g − Σ g·y)`
 * (attention-softmax.ts's gradient with the scale folded in); the masks get
 * no gradient, so callers take this path only for masks that do not require one.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, allocate, getKernel, isGradEnabled, registerKernel } from '@strata/tensor';
import { COMPOSITE_BACKEND } from '@strata/tensor/backend';
import { scaledMaskedScores } from './masked-scores.js';
import { attentionWasm, WASM_BACKEND } from './wasm/attention-wasm.js';
import { scaledMaskedSoftmaxBackwardWasmKernel, scaledMaskedSoftmaxWasmKernel } from './wasm/softmax-wasm.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /**
     * softmax(scale · scores + masks) along the last dimension of float
     * `scores` [..., L, S]; each mask is of the scores' dtype and broadcasts to their shape.
     * With `overwrite`, the caller gives `scores` up: a kernel may write the result over its
     * storage (when that holds exactly the scores, in order) instead of a new buffer.
     */
    scaledMaskedSoftmax: (scores: Tensor, scale: number, masks: readonly Tensor[], overwrite?: boolean) => Tensor;
    /** Its gradient: gradOutput and the output y, same shape → scale · y · (g − Σ g·y) along the last dimension. */
    scaledMaskedSoftmaxBackward: (gradOutput: Tensor, output: Tensor, scale: number) => Tensor;
  }
}

/** 2ᵏ for k = −200 … 0, the exponent part of {@link exponentialOfNonPositive}. */
const POWERS_OF_TWO = Float64Array.from({ length: 201 }, (_, index) => 2 ** (index - 200));

/**
 * eˣ for x ≤ 0 (or NaN) to within 1e-8 relative, for float32 results: x·log₂e
 * split into an integer k (a table) and r ∈ [−½, ½] (a degree-7 Taylor
 * polynomial of 2ʳ, whose error 0.35⁸/8! is below float32's rounding).
 * About twice as fast as `Math.exp` in V8, which is most of the softmax pass;
 * float64 scores keep `Math.exp`.
 */
function exponentialOfNonPositive(x: number): number {
  const y = x * Math.LOG2E;
  if (!(y >= -199)) return y !== y ? y : 0;
  const k = Math.floor(y + 0.5);
  const r = (y - k) * Math.LN2;
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040)))))));
  return p * POWERS_OF_TWO[k + 200]!;
}

/**
 * The TypeScript pass: the scaled (and masked) scores, then per row the max,
 * the exponentials and one division. The `wasm` backend's kernel
 * (wasm/softmax-wasm.ts) runs the same per-row steps in float32 SIMD.
 */
function scaledMaskedSoftmaxKernel(scores: Tensor, scale: number, masks: readonly Tensor[], overwrite = false): Tensor {
  const width = scores.shape[scores.ndim - 1]!;
  const target = scaledMaskedScores(scores, scale, masks, overwrite);
  const single = target instanceof Float32Array;
  for (let start = 0; start < target.length; start += width) {
    let maximum = Number.NEGATIVE_INFINITY;
    for (let j = start; j < start + width; j++) {
      const value = target[j]!;
      if (value > maximum || value !== value) maximum = value;
    }
    let total = 0;
    if (single) {
      for (let j = start; j < start + width; j++) {
        const e = exponentialOfNonPositive(target[j]! - maximum);
        target[j] = e;
        total += e;
      }
    } else {
      for (let j = start; j < start + width; j++) {
        const e = Math.exp(target[j]! - maximum);
        target[j] = e;
        total += e;
      }
    }
    // One division per row, as PyTorch's kernel does.
    const inverse = 1 / total;
    for (let j = start; j < start + width; j++) target[j] *= inverse;
  }
  return Tensor.fromData(target, scores.shape);
}

/** One pass per row; the scale is applied to the row's dot product and each term, not as a separate pass. */
function scaledMaskedSoftmaxBackwardKernel(gradOutput: Tensor, output: Tensor, scale: number): Tensor {
  const width = output.shape[output.ndim - 1]!;
  const g = gradOutput.contiguousData();
  const y = output.contiguousData();
  const result = allocate(output.dtype, y.length);
  for (let start = 0; start < y.length; start += width) {
    let dot = 0;
    for (let j = start; j < start + width; j++) dot += g[j]! * y[j]!;
    for (let j = start; j < start + width; j++) result[j] = scale * y[j]! * (g[j]! - dot);
  }
  return Tensor.fromData(result, output.shape);
}

/** `scaledMaskedSoftmax` in forward ops (a scaled copy, the masks added, the registry's softmax): the default of a backend without the fused pass. */
function scaledMaskedSoftmaxComposite(scores: Tensor, scale: number, masks: readonly Tensor[]): Tensor {
  let shifted = scores.mul(scale);
  for (const mask of masks) shifted = shifted.add(mask);
  return getKernel('softmax')(shifted, shifted.ndim - 1);
}

/** `scaledMaskedSoftmaxBackward` in forward ops: scale · y · (g − Σ g·y). */
function scaledMaskedSoftmaxBackwardComposite(gradOutput: Tensor, output: Tensor, scale: number): Tensor {
  return output.mul(gradOutput.sub(gradOutput.mul(output).sum(-1, true))).mul(scale);
}

// The defaults first, beneath the fused CPU passes, so a backend that lacks the fused ones still runs attention.
registerKernel('scaledMaskedSoftmax', scaledMaskedSoftmaxComposite, { backend: COMPOSITE_BACKEND });
registerKernel('scaledMaskedSoftmaxBackward', scaledMaskedSoftmaxBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('scaledMaskedSoftmax', scaledMaskedSoftmaxKernel, { override: true });
registerKernel('scaledMaskedSoftmaxBackward', scaledMaskedSoftmaxBackwardKernel, { override: true });
// The WebAssembly SIMD passes for float32, where this runtime compiles them.
if (attentionWasm() !== undefined) {
  registerKernel('scaledMaskedSoftmax', scaledMaskedSoftmaxWasmKernel, { backend: WASM_BACKEND, override: true });
  registerKernel('scaledMaskedSoftmaxBackward', scaledMaskedSoftmaxBackwardWasmKernel, { backend: WASM_BACKEND, override: true });
}

/**
 * softmax(scale · scores + masks) along the last dimension, differentiable in
 * `scores` only (masks that require a gradient take the unfused path in `attend`).
 * Scores are float [..., L, S]; each mask (or null) is of their dtype and broadcasts to their shape.
 * `overwriteScores`: the caller holds the only reference to `scores` (a product's fresh output that
 * nothing else reads, its own backward included), so the weights may be written over them: a
 * `[N, heads, L, S]` buffer less to allocate and fault in.
 */
export const scaledMaskedSoftmax: (
  scores: Tensor, scale: number, firstMask: Tensor | null, secondMask: Tensor | null, overwriteScores?: boolean,
) => Tensor = defineOp({
  name: 'scaledMaskedSoftmax',
  forward(
    ctx: OpContext<{ scale: number }>, scores: Tensor, scale: number, firstMask: Tensor | null, secondMask: Tensor | null, overwriteScores = false,
  ): Tensor {
    const masks = [firstMask, secondMask].filter((mask): mask is Tensor => mask !== null);
    const output = getKernel('scaledMaskedSoftmax')(scores, scale, masks, overwriteScores);
    ctx.state.scale = scale;
    ctx.saveForBackward(output);
    return output;
  },
  backward(ctx, gradOutput) {
    const [output] = ctx.savedTensors as [Tensor];
    const { scale } = ctx.state;
    // Under createGraph, grad mode is on: record the gradient with tensor ops.
    if (isGradEnabled()) return [output.mul(gradOutput.sub(gradOutput.mul(output).sum(-1, true))).mul(scale), null, null, null, null];
    return [getKernel('scaledMaskedSoftmaxBackward')(gradOutput, output, scale), null, null, null, null];
  },
});
