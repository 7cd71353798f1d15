/**
 * The signatures of every kernel `@strata/layers-norm` registers, written
 * out (not `typeof` a CPU loop), so a backend knows exactly what to
 * implement. Tensors are read through their strides; results are new
 * contiguous tensors. Statistics are float64, as PyTorch's `save_mean` /
 * `save_invstd`. Each `*Backward` kernel has a default composed of forward
 * ops (reference-backward.ts, backend `'composite'`) under the fused CPU one.
 */
import type { Tensor } from '@strata/tensor';
import type { LocalResponseNormForwardResult, LocalResponseNormParameters } from './kernels/local-response-norm.js';
import type { RMSNormForwardResult } from './kernels/layer-norm.js';
import type { GradientMask, NormForwardResult, NormGradients } from './kernels/support.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /**
     * Batch norm (and instance norm in evaluation mode): input [N, C, *] →
     * output, and the per-channel `mean` and `invstd` it used (float64 [C]):
     * the batch's (two-pass, biased variance) when `useInputStats`, else
     * `runningMean` and `1 / √(runningVar + eps)`. `weight`, `bias` [C] or null.
     */
    batchNorm: (
      input: Tensor, weight: Tensor | null, bias: Tensor | null, runningMean: Tensor | null, runningVar: Tensor | null,
      useInputStats: boolean, eps: number,
    ) => NormForwardResult;
    /**
     * The gradients of `batchNorm` w.r.t. input ([N, C, *]), weight and bias
     * ([C]) as `mask` asks, from the forward's `mean` and `invstd`; with
     * `useInputStats` false the statistics are constants.
     */
    batchNormBackward: (
      input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, useInputStats: boolean,
      mask: GradientMask,
    ) => NormGradients;
    /**
     * Layer norm: each row of `length` trailing elements normalized with its
     * own mean and biased variance, then `· weight + bias` (each `length`
     * elements, any shape, or null); `mean`, `invstd` float64 [rows].
     */
    layerNorm: (input: Tensor, weight: Tensor | null, bias: Tensor | null, length: number, eps: number) => NormForwardResult;
    /** The gradients of `layerNorm` w.r.t. input, weight and bias (the latter two flat `[length]`), as `mask` asks. */
    layerNormBackward: (
      input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, length: number, mask: GradientMask,
    ) => NormGradients;
    /** RMS norm: each row of `length` trailing elements times `1 / √(mean(x²) + eps)` and `weight`; `invrms` float64 [rows]. */
    rmsNorm: (input: Tensor, weight: Tensor | null, length: number, eps: number) => RMSNormForwardResult;
    /** The gradients of `rmsNorm` w.r.t. input and weight (flat `[length]`), as `mask` asks; `gradBias` is always null. */
    rmsNormBackward: (
      input: Tensor, gradOutput: Tensor, invrms: Tensor, weight: Tensor | null, length: number,
      mask: readonly [input: boolean, weight: boolean],
    ) => NormGradients;
    /**
     * Group norm (and instance norm in training mode, one group per channel):
     * each (sample, group of C / groups channels) of [N, C, *] normalized,
     * then per-channel `weight` and `bias` [C]; `mean`, `invstd` float64 [N, groups].
     */
    groupNorm: (input: Tensor, weight: Tensor | null, bias: Tensor | null, groups: number, eps: number) => NormForwardResult;
    /** The gradients of `groupNorm` w.r.t. input, weight and bias ([C]), as `mask` asks. */
    groupNormBackward: (
      input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, groups: number, mask: GradientMask,
    ) => NormGradients;
    /** Local response norm over the channels of [N, C, *] → output, and the denominator base of every element (float64). */
    localResponseNorm: (input: Tensor, parameters: LocalResponseNormParameters) => LocalResponseNormForwardResult;
    /** The input gradient of `localResponseNorm`, given the forward's `denominator`. */
    localResponseNormBackward: (
      input: Tensor, gradOutput: Tensor, denominator: Tensor, parameters: LocalResponseNormParameters,
    ) => Tensor;
  }
}

/**
 * The backend name under which each fused `*Backward` kernel's default,
 * composed of forward ops, is registered (beneath the fused CPU kernel).
 */
export const COMPOSITE_BACKEND = 'composite';
