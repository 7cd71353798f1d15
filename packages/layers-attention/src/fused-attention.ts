/**
 * The attention core as one op, `dropout(softmax(q·kᵀ·scale + masks))·v`,
 * for the calls that do not return the weights (a Transformer layer's
 * self-attention, `scaledDotProductAttention`): one kernel forward, one
 * backward, the weights (and dropout's noise) saved between them.
 *
 * The `wasm` kernels run whole heads on `@strata/tensor`'s WebAssembly
 * tasks, so the [N, heads, L, S] scores and their gradient never pass
 * through JavaScript arrays (attentionForwardWasm): on [32, 8, 128, 32]
 * q, k and v, forward and backward took 105 ms as batched products and
 * softmax kernels, 57–63 ms fused. Elsewhere the composite defaults run the
 * same steps with the registry's products and the fused softmax kernels.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Tensor, defaultGenerator, getKernel, isGradEnabled, matmul, registerKernel } from '@strata/tensor';
import {
  type AttentionOperand,
  type AttentionSizes,
  COMPOSITE_BACKEND,
  allocateForOverwrite,
  attentionBackwardWasm,
  attentionForwardWasm,
  kernelBelow,
} from '@strata/tensor/backend';
// The dropoutNoise kernel (and its registry type) comes with the dropout layers.
import '@strata/layers-misc';
import { WASM_BACKEND } from './wasm/attention-wasm.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /**
     * Attention of float q [..., L, E], k [..., S, E], v [..., S, Ev] (the same
     * leading dimensions): the weights softmax(q·kᵀ·scale + Σ masks) along the
     * keys [..., L, S] (each mask of q's dtype, broadcasting to them) and the
     * output (weights ⊙ noise)·v [..., L, Ev], or weights·v without `noise`
     * (dropout's, [..., L, S] of q's dtype). Returns [output, weights].
     */
    fusedAttention: (q: Tensor, k: Tensor, v: Tensor, scale: number, masks: readonly Tensor[], noise: Tensor | null) => [Tensor, Tensor];
    /**
     * Its gradient in q, k and v from the output's gradient, the forward's
     * weights (before the noise) and noise (the masks get none): [dq, dk, dv].
     */
    fusedAttentionBackward: (
      gradOutput: Tensor, q: Tensor, k: Tensor, v: Tensor, weights: Tensor, scale: number, noise: Tensor | null,
    ) => [Tensor, Tensor, Tensor];
  }
}

/** The forward with the registry's products and scaled masked softmax. */
function fusedAttentionComposite(q: Tensor, k: Tensor, v: Tensor, scale: number, masks: readonly Tensor[], noise: Tensor | null): [Tensor, Tensor] {
  // The scores are this function's own: the softmax may overwrite them.
  const weights = getKernel('scaledMaskedSoftmax')(matmul(q, k.transpose(-2, -1)), scale, masks, true);
  return [matmul(noise === null ? weights : weights.mul(noise), v), weights];
}

/** The backward with the registry's products and softmax gradient. */
function fusedAttentionBackwardComposite(
  gradOutput: Tensor, q: Tensor, k: Tensor, v: Tensor, weights: Tensor, scale: number, noise: Tensor | null,
): [Tensor, Tensor, Tensor] {
  const gradKept = matmul(gradOutput, v.transpose(-2, -1));
  const scores = getKernel('scaledMaskedSoftmaxBackward')(noise === null ? gradKept : gradKept.mul(noise), weights, scale);
  const kept = noise === null ? weights : weights.mul(noise);
  return [matmul(scores, k), matmul(scores.transpose(-2, -1), q), matmul(kept.transpose(-2, -1), gradOutput)];
}

/** Each head's start in a tensor whose leading dimensions are `leading`, by an odometer over their strides. */
function headOffsets(tensor: Tensor, leading: readonly number[]): number[] {
  const heads = leading.reduce((total, size) => total * size, 1);
  const offsets = new Array<number>(heads);
  const index = new Array<number>(leading.length).fill(0);
  let offset = tensor.offset;
  for (let head = 0; head < heads; head++) {
    offsets[head] = offset;
    for (let d = leading.length - 1; d >= 0; d--) {
      index[d]!++;
      offset += tensor.strides[d]!;
      if (index[d]! < leading[d]!) break;
      offset -= tensor.strides[d]! * leading[d]!;
      index[d] = 0;
    }
  }
  return offsets;
}

/** A float32 tensor [...leading, rows, columns] as the wasm functions' operand, read through its strides. */
function operand(tensor: Tensor, leading: readonly number[]): AttentionOperand | null {
  const data = tensor.storage.data;
  if (!(data instanceof Float32Array)) return null;
  const rank = tensor.ndim;
  return { data, offsets: headOffsets(tensor, leading), rowStride: tensor.strides[rank - 2]!, colStride: tensor.strides[rank - 1]! };
}

function attentionSizes(q: Tensor, k: Tensor, v: Tensor): AttentionSizes {
  const rank = q.ndim;
  return {
    heads: q.shape.slice(0, -2).reduce((total, size) => total * size, 1),
    length: q.shape[rank - 2]!,
    sourceLength: k.shape[rank - 2]!,
    features: q.shape[rank - 1]!,
    valueFeatures: v.shape[rank - 1]!,
  };
}

/** `fusedAttention` on the WebAssembly attention tasks (float32). */
function fusedAttentionWasmKernel(q: Tensor, k: Tensor, v: Tensor, scale: number, masks: readonly Tensor[], noise: Tensor | null): [Tensor, Tensor] {
  const leading = q.shape.slice(0, -2);
  const sizes = attentionSizes(q, k, v);
  const { heads, length, sourceLength, valueFeatures } = sizes;
  const operands = [q, k, v].map((tensor) => operand(tensor, leading));
  const maskOperands = masks.map((mask) => operand(mask.expand([...leading, length, sourceLength]), leading));
  const noiseValues = noise === null ? null : noise.contiguousData();
  if ([...operands, ...maskOperands].every((entry) => entry !== null) && (noiseValues === null || noiseValues instanceof Float32Array)) {
    const output = allocateForOverwrite('float32', heads * length * valueFeatures);
    const weights = allocateForOverwrite('float32', heads * length * sourceLength);
    const [qOperand, kOperand, vOperand] = operands as AttentionOperand[];
    if (attentionForwardWasm(sizes, qOperand!, kOperand!, vOperand!, maskOperands as AttentionOperand[], scale, output, weights, noiseValues)) {
      return [Tensor.fromData(output, [...leading, length, valueFeatures]), Tensor.fromData(weights, [...leading, length, sourceLength])];
    }
  }
  return kernelBelow('fusedAttention', WASM_BACKEND)(q, k, v, scale, masks, noise);
}

/** `fusedAttentionBackward` on the WebAssembly attention tasks (float32). */
function fusedAttentionBackwardWasmKernel(
  gradOutput: Tensor, q: Tensor, k: Tensor, v: Tensor, weights: Tensor, scale: number, noise: Tensor | null,
): [Tensor, Tensor, Tensor] {
  const leading = q.shape.slice(0, -2);
  const sizes = attentionSizes(q, k, v);
  const { heads, length, sourceLength, features, valueFeatures } = sizes;
  const operands = [gradOutput, q, k, v].map((tensor) => operand(tensor, leading));
  const weightValues = weights.contiguousData();
  const noiseValues = noise === null ? null : noise.contiguousData();
  if (operands.every((entry) => entry !== null) && weightValues instanceof Float32Array && (noiseValues === null || noiseValues instanceof Float32Array)) {
    const dq = allocateForOverwrite('float32', heads * length * features);
    const dk = allocateForOverwrite('float32', heads * sourceLength * features);
    const dv = allocateForOverwrite('float32', heads * sourceLength * valueFeatures);
    const [g, qOperand, kOperand, vOperand] = operands as AttentionOperand[];
    if (attentionBackwardWasm(sizes, g!, qOperand!, kOperand!, vOperand!, weightValues, scale, dq, dk, dv, noiseValues)) {
      return [Tensor.fromData(dq, q.shape), Tensor.fromData(dk, k.shape), Tensor.fromData(dv, v.shape)];
    }
  }
  return kernelBelow('fusedAttentionBackward', WASM_BACKEND)(gradOutput, q, k, v, weights, scale, noise);
}

registerKernel('fusedAttention', fusedAttentionComposite, { backend: COMPOSITE_BACKEND });
registerKernel('fusedAttentionBackward', fusedAttentionBackwardComposite, { backend: COMPOSITE_BACKEND });
registerKernel('fusedAttention', (q, k, v, scale, masks, noise) => {
  if ([q, k, v, ...masks, ...(noise === null ? [] : [noise])].some((tensor) => tensor.dtype !== 'float32')) {
    return kernelBelow('fusedAttention', WASM_BACKEND)(q, k, v, scale, masks, noise);
  }
  return fusedAttentionWasmKernel(q, k, v, scale, masks, noise);
}, { backend: WASM_BACKEND, override: true });
registerKernel('fusedAttentionBackward', (gradOutput, q, k, v, weights, scale, noise) => {
  if ([gradOutput, q, k, v, weights, ...(noise === null ? [] : [noise])].some((tensor) => tensor.dtype !== 'float32')) {
    return kernelBelow('fusedAttentionBackward', WASM_BACKEND)(gradOutput, q, k, v, weights, scale, noise);
  }
  return fusedAttentionBackwardWasmKernel(gradOutput, q, k, v, weights, scale, noise);
}, { backend: WASM_BACKEND, override: true });

/** Whether {@link fusedAttention} takes these inputs: the same leading dimensions (no broadcasting between q, k and v). */
export function fusedAttentionTakes(q: Tensor, k: Tensor, v: Tensor): boolean {
  const leading = q.shape.slice(0, -2);
  return k.ndim === q.ndim && v.ndim === q.ndim
    && leading.every((size, d) => k.shape[d] === size && v.shape[d] === size);
}

/**
 * dropout(softmax(q·kᵀ·scale + masks), p)·v as one differentiable op in q,
 * k and v (masks, of q's dtype and broadcasting to [..., L, S], get no
 * gradient: the caller takes this path only for masks that do not require
 * one). q, k and v share their leading dimensions ({@link fusedAttentionTakes}).
 * Dropout (0 ≤ p < 1) draws its noise from the default generator exactly as
 * `dropout` of the weights would, so both paths give the same numbers.
 */
export const fusedAttention: (
  q: Tensor, k: Tensor, v: Tensor, scale: number, firstMask: Tensor | null, secondMask: Tensor | null, dropoutP: number,
) => Tensor = defineOp({
  name: 'scaledDotProductAttention',
  forward(
    ctx: OpContext<{ scale: number; masks: Tensor[]; noise: Tensor | null }>, q: Tensor, k: Tensor, v: Tensor, scale: number,
    firstMask: Tensor | null, secondMask: Tensor | null, dropoutP: number,
  ): Tensor {
    const masks = [firstMask, secondMask].filter((mask): mask is Tensor => mask !== null);
    const weightsShape = [...q.shape.slice(0, -1), k.shape[k.ndim - 2]!];
    const noise = dropoutP === 0
      ? null
      : getKernel('dropoutNoise')(weightsShape, q.dtype as 'float32' | 'float64', dropoutP, 1 / (1 - dropoutP), 0, defaultGenerator);
    const [output, weights] = getKernel('fusedAttention')(q, k, v, scale, masks, noise);
    ctx.state.scale = scale;
    ctx.state.masks = masks;
    ctx.state.noise = noise;
    ctx.saveForBackward(q, k, v, weights);
    return output;
  },
  backward(ctx, gradOutput) {
    const [q, k, v, weights] = ctx.savedTensors as [Tensor, Tensor, Tensor, Tensor];
    const { scale, masks, noise } = ctx.state;
    if (isGradEnabled()) {
      // Under createGraph: the weights recomputed with recorded ops, so that second derivatives reach q and k through them.
      let scores = q.matmul(k.transpose(-2, -1)).mul(scale);
      for (const mask of masks) scores = scores.add(mask);
      const recorded = scores.softmax(-1);
      const kept = noise === null ? recorded : recorded.mul(noise);
      const gradKept = gradOutput.matmul(v.transpose(-2, -1));
      const gradWeights = noise === null ? gradKept : gradKept.mul(noise);
      const gradScores = recorded.mul(gradWeights.sub(gradWeights.mul(recorded).sum(-1, true))).mul(scale);
      return [gradScores.matmul(k), gradScores.transpose(-2, -1).matmul(q), kept.transpose(-2, -1).matmul(gradOutput), null, null, null, null];
    }
    const [dq, dk, dv] = getKernel('fusedAttentionBackward')(gradOutput, q, k, v, weights, scale, noise);
    const needs = ctx.needsInputGrad;
    return [needs[0] ? dq : null, needs[1] ? dk : null, needs[2] ? dv : null, null, null, null, null];
  },
});
