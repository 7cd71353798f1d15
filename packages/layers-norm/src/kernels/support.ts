/**
 * What the normalization kernels share: their result types and the
 * conversions between tensors and the raw arrays the loops run on.
 */
import { Tensor } from '@strata/tensor';
import type { FloatArray } from './moments.js';

/**
 * A forward kernel's result: the output and the statistics backward needs,
 * as float64 tensors (PyTorch's `save_mean` and `save_invstd`).
 */
export interface NormForwardResult {
  /** The normalized (and scaled and shifted) input: its shape and dtype. */
  readonly output: Tensor;
  /**
   * The mean each group of elements was centered with, float64: `[C]` for
   * batch norm, one per row for layer norm, `[N, groups]` for group norm.
   */
  readonly mean: Tensor;
  /** The matching `1 / √(var + eps)` (biased variance), float64, in `mean`'s shape; PyTorch's `save_invstd`. */
  readonly invstd: Tensor;
}

/** Which gradients a backward kernel computes: input, weight, bias. */
export type GradientMask = readonly [input: boolean, weight: boolean, bias: boolean];

/** A backward kernel's result; `null` where the mask said no (or there is no such parameter). */
export interface NormGradients {
  /** The gradient of the loss with respect to the input (its shape), or `null` when not asked for. */
  readonly gradInput: Tensor | null;
  /**
   * The gradient with respect to the affine weight (its shape),
   * or `null` when not asked for or there is no weight.
   */
  readonly gradWeight: Tensor | null;
  /** The gradient with respect to the affine bias (its shape), or `null` when not asked for or there is no bias. */
  readonly gradBias: Tensor | null;
}

/** The elements of a floating-point tensor in row-major order (the storage itself when possible: read only). */
export function floatData(tensor: Tensor): FloatArray {
  return tensor.contiguousData() as FloatArray;
}

/** A tensor's elements as float64, in row-major order (possibly its storage: read only). */
export function float64Values(tensor: Tensor): Float64Array {
  const data = tensor.contiguousData();
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/** A parameter's values as float64 (possibly its storage: read only), or `length` copies of `fill` when there is none. */
export function parameterValues(parameter: Tensor | null, length: number, fill: number): Float64Array {
  if (parameter === null) return new Float64Array(length).fill(fill);
  return float64Values(parameter);
}

/** A zero-filled array of the storage type of `dtype` (float32 or float64). */
export function allocateFloat(dtype: Tensor['dtype'], length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** A new tensor of `dtype` holding `values` (converted when the types differ). */
export function tensorOf(values: Float64Array, shape: readonly number[], dtype: Tensor['dtype']): Tensor {
  return Tensor.fromData(dtype === 'float64' ? values : Float32Array.from(values), shape);
}
