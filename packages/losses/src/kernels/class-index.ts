/**
 * The loops of the class-index losses (`nllLoss`, and `crossEntropy` with
 * class indices fused with its log-softmax), forward and backward. No
 * autograd in here: the ops in `class-index-ops.ts` call these through the
 * kernel registry.
 *
 * Every tensor is read in the layout `[batch, classes, inner]` (the input
 * `[N, C, d1, …, dk]` with `inner = d1 ⋯ dk`, or `[C]` as `[1, C, 1]`), the
 * target as `[batch, inner]`. Sums run in doubles. For `inner = 1` (the
 * usual `[N, C]` logits) a row's classes are adjacent and each row is one
 * tight loop; otherwise the loops run over the classes and, innermost, over
 * the `inner` positions, which are adjacent in memory.
 */
import { type DType, Tensor, allocate } from '@strata/tensor';
import type { Reduction } from '../options.js';

/** How a class-index loss reads its input: `[batch, classes, inner]`. */
export interface ClassIndexLayout {
  /** N: the input's first dimension (1 for an unbatched `[C]` input). */
  readonly batch: number;
  /** C: the number of classes, the input's class dimension (dim 1, or dim 0 for a `[C]` input). */
  readonly classes: number;
  /** The product `d1 ⋯ dk` of the dimensions after the class dimension (1 for the usual `[N, C]` logits). */
  readonly inner: number;
}

/** The options the class-index kernels need (the weight is an argument of its own). */
export interface ClassIndexSettings {
  /** How the per-position losses are combined: `'none'`, `'mean'` (weighted: divided by `totalWeight`) or `'sum'`. */
  readonly reduction: Reduction;
  /**
   * The target value that is skipped: no loss, no weight in the
   * divisor, no gradient (−100 by default, as in PyTorch).
   */
  readonly ignoreIndex: number;
  /** 0 for `nllLoss`. */
  readonly labelSmoothing: number;
}

/** What the forward kernels return. */
export interface ClassIndexLossResult {
  /** The loss: `[batch, inner]` for `'none'`, else 0-d; the input's dtype. */
  readonly output: Tensor;
  /** Σ weight[target] over the targets not ignored: the divisor of `'mean'`. */
  readonly totalWeight: number;
}

/** What the cross-entropy forward kernel returns: also each position's log-sum-exp, which backward needs. */
export interface CrossEntropyResult extends ClassIndexLossResult {
  /** `[batch, inner]` float64: `log Σ_c exp(input[n, c, k])`. */
  readonly logSumExp: Tensor;
}

type FloatData = Float32Array | Float64Array;

function floatData(tensor: Tensor): FloatData {
  return tensor.contiguousData() as FloatData;
}

function newTensor(dtype: DType, shape: readonly number[], data?: FloatData): Tensor {
  return Tensor.fromData(data ?? allocate(dtype, shape.reduce((product, size) => product * size, 1)), shape);
}

/** The result tensor: per position for `'none'`, else the sum (divided by the total weight for `'mean'`). */
function lossResult(dtype: DType, losses: Float64Array, sum: number, totalWeight: number, layout: ClassIndexLayout, reduction: Reduction): Tensor {
  if (reduction === 'none') {
    const data = allocate(dtype, losses.length) as FloatData;
    data.set(losses);
    return newTensor(dtype, [layout.batch, layout.inner], data);
  }
  const data = allocate(dtype, 1) as FloatData;
  // 'mean' with every target ignored is 0 / 0 = NaN, as PyTorch.
  data[0] = reduction === 'mean' ? sum / totalWeight : sum;
  return newTensor(dtype, [], data);
}

/**
 * `nllLoss` forward: `ℓ[n, k] = −weight[t] · input[n, t, k]` with
 * `t = target[n, k]`, 0 where `t` is `ignoreIndex`. Targets are already checked.
 */
export function nllLossKernel(
  input: Tensor, target: Tensor, weight: Tensor | null, layout: ClassIndexLayout, settings: ClassIndexSettings,
): ClassIndexLossResult {
  const { batch, classes, inner } = layout;
  const x = floatData(input);
  const targets = target.contiguousData() as Int32Array;
  const w = weight === null ? null : floatData(weight);
  const losses = new Float64Array(batch * inner);
  let sum = 0;
  let totalWeight = 0;
  for (let n = 0; n < batch; n++) {
    const rowBase = n * classes * inner;
    for (let k = 0; k < inner; k++) {
      const position = n * inner + k;
      const t = targets[position]!;
      if (t === settings.ignoreIndex) continue;
      const wt = w === null ? 1 : w[t]!;
      const loss = -wt * x[rowBase + t * inner + k]!;
      losses[position] = loss;
      sum += loss;
      totalWeight += wt;
    }
  }
  return { output: lossResult(input.dtype, losses, sum, totalWeight, layout, settings.reduction), totalWeight };
}

/** The gradient scale of each position: the upstream value (`'none'`), or one scalar for all. */
function gradientScales(gradOutput: Tensor, totalWeight: number, reduction: Reduction): { perPosition: FloatData | null; shared: number } {
  if (reduction === 'none') return { perPosition: floatData(gradOutput), shared: 0 };
  const upstream = floatData(gradOutput)[0]!;
  return { perPosition: null, shared: reduction === 'mean' ? upstream / totalWeight : upstream };
}

/** `nllLoss` backward: `−weight[t] · scale` at `[n, t, k]`, 0 elsewhere; the input's shape and the upstream's dtype. */
export function nllLossBackwardKernel(
  inputShape: readonly number[], target: Tensor, weight: Tensor | null, gradOutput: Tensor, totalWeight: number,
  layout: ClassIndexLayout, settings: ClassIndexSettings,
): Tensor {
  const { batch, classes, inner } = layout;
  const targets = target.contiguousData() as Int32Array;
  const w = weight === null ? null : floatData(weight);
  const { perPosition, shared } = gradientScales(gradOutput, totalWeight, settings.reduction);
  const gradient = allocate(gradOutput.dtype, batch * classes * inner) as FloatData;
  for (let n = 0; n < batch; n++) {
    const rowBase = n * classes * inner;
    for (let k = 0; k < inner; k++) {
      const position = n * inner + k;
      const t = targets[position]!;
      if (t === settings.ignoreIndex) continue;
      const scale = perPosition === null ? shared : perPosition[position]!;
      gradient[rowBase + t * inner + k] = -(w === null ? 1 : w[t]!) * scale;
    }
  }
  return newTensor(gradOutput.dtype, inputShape, gradient);
}

/**
 * `crossEntropy` forward with class indices, fused: the log-softmax over the
 * classes (max-shifted log-sum-exp), the negative log-likelihood of the
 * target, its weight, `ignoreIndex` and label smoothing:
 * `ℓ = (1 − ε) · w[t] · (lse − x_t) + (ε / C) · Σ_c w[c] · (lse − x_c)`.
 */
export function crossEntropyKernel(
  input: Tensor, target: Tensor, weight: Tensor | null, layout: ClassIndexLayout, settings: ClassIndexSettings,
): CrossEntropyResult {
  const { batch, classes, inner } = layout;
  const x = floatData(input);
  const targets = target.contiguousData() as Int32Array;
  const w = weight === null ? null : floatData(weight);
  const smoothing = settings.labelSmoothing;
  const keep = 1 - smoothing;
  const spread = smoothing / classes;
  let weightSum = classes;
  if (w !== null) {
    weightSum = 0;
    for (let c = 0; c < classes; c++) weightSum += w[c]!;
  }
  const losses = new Float64Array(batch * inner);
  const logSumExp = new Float64Array(batch * inner);
  // Per-position running max, Σ exp and Σ w·x for the strided (inner > 1) layout.
  const maxima = new Float64Array(inner);
  const sums = new Float64Array(inner);
  const weighted = new Float64Array(inner);
  let sum = 0;
  let totalWeight = 0;
  for (let n = 0; n < batch; n++) {
    const rowBase = n * classes * inner;
    if (inner === 1) {
      let maximum = Number.NEGATIVE_INFINITY;
      for (let c = rowBase; c < rowBase + classes; c++) if (x[c]! > maximum) maximum = x[c]!;
      let total = 0;
      let dot = 0;
      for (let c = 0; c < classes; c++) {
        const value = x[rowBase + c]!;
        total += Math.exp(value - maximum);
        if (smoothing > 0) dot += (w === null ? 1 : w[c]!) * value;
      }
      maxima[0] = maximum;
      sums[0] = total;
      weighted[0] = dot;
    } else {
      maxima.fill(Number.NEGATIVE_INFINITY);
      sums.fill(0);
      weighted.fill(0);
      for (let c = 0; c < classes; c++) {
        const base = rowBase + c * inner;
        for (let k = 0; k < inner; k++) if (x[base + k]! > maxima[k]!) maxima[k] = x[base + k]!;
      }
      for (let c = 0; c < classes; c++) {
        const base = rowBase + c * inner;
        const wc = w === null ? 1 : w[c]!;
        for (let k = 0; k < inner; k++) {
          const value = x[base + k]!;
          sums[k] += Math.exp(value - maxima[k]!);
          if (smoothing > 0) weighted[k] += wc * value;
        }
      }
    }
    for (let k = 0; k < inner; k++) {
      const position = n * inner + k;
      const lse = maxima[k]! + Math.log(sums[k]!);
      logSumExp[position] = lse;
      const t = targets[position]!;
      if (t === settings.ignoreIndex) continue;
      const wt = w === null ? 1 : w[t]!;
      let loss = wt * (lse - x[rowBase + t * inner + k]!);
      if (smoothing > 0) loss = keep * loss + spread * (weightSum * lse - weighted[k]!);
      losses[position] = loss;
      sum += loss;
      totalWeight += wt;
    }
  }
  return {
    output: lossResult(input.dtype, losses, sum, totalWeight, layout, settings.reduction),
    totalWeight,
    logSumExp: newTensor('float64', [batch, inner], logSumExp),
  };
}

/**
 * `crossEntropy` backward with class indices: with `p = softmax(x)`,
 * `∂ℓ/∂x_c = scale · (A · p_c − (1 − ε) · w[t] · [c = t] − (ε / C) · w[c])`,
 * `A = (1 − ε) · w[t] + (ε / C) · Σ w`; 0 for ignored positions.
 */
export function crossEntropyBackwardKernel(
  input: Tensor, target: Tensor, weight: Tensor | null, logSumExp: Tensor, gradOutput: Tensor, totalWeight: number,
  layout: ClassIndexLayout, settings: ClassIndexSettings,
): Tensor {
  const { batch, classes, inner } = layout;
  const x = floatData(input);
  const lse = logSumExp.contiguousData() as Float64Array;
  const targets = target.contiguousData() as Int32Array;
  const w = weight === null ? null : floatData(weight);
  const { perPosition, shared } = gradientScales(gradOutput, totalWeight, settings.reduction);
  const smoothing = settings.labelSmoothing;
  const keep = 1 - smoothing;
  const spread = smoothing / classes;
  let weightSum = classes;
  if (w !== null) {
    weightSum = 0;
    for (let c = 0; c < classes; c++) weightSum += w[c]!;
  }
  const gradient = allocate(input.dtype, batch * classes * inner) as FloatData;
  // Per position of one row: the scale, A·scale, and the target's own term.
  const scales = new Float64Array(inner);
  const softmaxScales = new Float64Array(inner);
  for (let n = 0; n < batch; n++) {
    const rowBase = n * classes * inner;
    for (let k = 0; k < inner; k++) {
      const position = n * inner + k;
      const t = targets[position]!;
      if (t === settings.ignoreIndex) {
        scales[k] = 0;
        softmaxScales[k] = 0;
        continue;
      }
      const scale = perPosition === null ? shared : perPosition[position]!;
      const wt = w === null ? 1 : w[t]!;
      scales[k] = scale;
      softmaxScales[k] = scale * (keep * wt + spread * weightSum);
    }
    if (inner === 1) {
      const shift = lse[n]!;
      const softmaxScale = softmaxScales[0]!;
      const smoothScale = scales[0]! * spread;
      for (let c = 0; c < classes; c++) {
        const index = rowBase + c;
        let value = softmaxScale * Math.exp(x[index]! - shift);
        if (smoothing > 0) value -= smoothScale * (w === null ? 1 : w[c]!);
        gradient[index] = value;
      }
    } else {
      const lseBase = n * inner;
      for (let c = 0; c < classes; c++) {
        const base = rowBase + c * inner;
        const smoothWeight = spread * (w === null ? 1 : w[c]!);
        for (let k = 0; k < inner; k++) {
          let value = softmaxScales[k]! * Math.exp(x[base + k]! - lse[lseBase + k]!);
          if (smoothing > 0) value -= scales[k]! * smoothWeight;
          gradient[base + k] = value;
        }
      }
    }
    for (let k = 0; k < inner; k++) {
      const t = targets[n * inner + k]!;
      if (t === settings.ignoreIndex) continue;
      gradient[rowBase + t * inner + k] -= scales[k]! * keep * (w === null ? 1 : w[t]!);
    }
  }
  return newTensor(input.dtype, input.shape, gradient);
}
