/**
 * Defaults of the class-index losses' fused backward kernels
 * (`nllLossBackward`, `crossEntropyBackward`), composed of forward ops
 * (`gather`, `scatterAdd`, `where`, `exp` and arithmetic). They register
 * under the backend name `'composite'` beneath the CPU loops, so a backend
 * that lacks the fused ones still trains. They compute in float64, as the
 * fused loops do, and round to the input's dtype once at the end.
 */
import { type Tensor, gather, ne, ones, scatterAdd, where, zeros } from '@strata/tensor';
import type { ClassIndexLayout, ClassIndexSettings } from './kernels/class-index.js';

/** The backend name of the defaults composed of forward ops. */
export const COMPOSITE_BACKEND = 'composite';

/**
 * With `w` the weight (1s when `null`), `t` each position's target and
 * `ε` the label smoothing: `rowScale` `[batch, 1, inner]` is
 * `(1 − ε) · w[t] + (ε / C) · Σ w`, and `targetDistribution`
 * `[batch, classes, inner]` is `(1 − ε) · w[t] · [c = t] + (ε / C) · w[c]`,
 * both 0 where the target is `ignoreIndex`. float64.
 */
function coefficients(
  target: Tensor, weight: Tensor | null, layout: ClassIndexLayout, settings: ClassIndexSettings,
): { rowScale: Tensor; targetDistribution: Tensor } {
  const { batch, classes, inner } = layout;
  const keep = 1 - settings.labelSmoothing;
  const spread = settings.labelSmoothing / classes;
  const targets = target.reshape([batch, 1, inner]);
  const kept = ne(targets, settings.ignoreIndex);
  // Ignored positions read class 0 and are zeroed afterwards.
  const safeTargets = where(kept, targets, 0);
  const weights = weight === null ? null : weight.to('float64');
  const targetWeight = weights === null
    ? ones([batch, 1, inner], { dtype: 'float64' })
    : gather(weights, 0, safeTargets.reshape([-1])).reshape([batch, 1, inner]);
  const smoothedWeightSum = weights === null ? spread * classes : weights.sum().mul(spread);
  const rowScale = where(kept, targetWeight.mul(keep).add(smoothedWeightSum), 0);
  let smoothing = zeros([batch, classes, inner], { dtype: 'float64' });
  if (spread > 0) {
    const perClass = weights === null ? smoothing.add(spread) : smoothing.add(weights.reshape([1, classes, 1]).mul(spread));
    smoothing = where(kept, perClass, 0);
  }
  const targetDistribution = scatterAdd(smoothing, 1, safeTargets, where(kept, targetWeight.mul(keep), 0));
  return { rowScale, targetDistribution };
}

/** The output's gradient as one float64 scale per position (`'none'`, `[batch, 1, inner]`) or one for all (0-d). */
function outputScale(gradOutput: Tensor, totalWeight: number, layout: ClassIndexLayout, settings: ClassIndexSettings): Tensor {
  const scale = gradOutput.to('float64');
  if (settings.reduction === 'none') return scale.reshape([layout.batch, 1, layout.inner]);
  return settings.reduction === 'mean' ? scale.div(totalWeight) : scale;
}

/** `nllLossBackward` in forward ops: `−scale · targetDistribution`, shaped like the input. */
export function nllLossBackwardComposite(
  inputShape: readonly number[], target: Tensor, weight: Tensor | null, gradOutput: Tensor, totalWeight: number,
  layout: ClassIndexLayout, settings: ClassIndexSettings,
): Tensor {
  const { targetDistribution } = coefficients(target, weight, layout, settings);
  const gradient = targetDistribution.mul(outputScale(gradOutput, totalWeight, layout, settings)).neg();
  return gradient.to(gradOutput.dtype).reshape([...inputShape]);
}

/**
 * `crossEntropyBackward` in forward ops: with `p = exp(x − logSumExp)` (the
 * softmax, from the log-sum-exp the forward saved),
 * `scale · (rowScale · p − targetDistribution)`, shaped like the input.
 */
export function crossEntropyBackwardComposite(
  input: Tensor, target: Tensor, weight: Tensor | null, logSumExp: Tensor, gradOutput: Tensor, totalWeight: number,
  layout: ClassIndexLayout, settings: ClassIndexSettings,
): Tensor {
  const { batch, classes, inner } = layout;
  const { rowScale, targetDistribution } = coefficients(target, weight, layout, settings);
  const logits = input.reshape([batch, classes, inner]).to('float64');
  const probabilities = logits.sub(logSumExp.to('float64').reshape([batch, 1, inner])).exp();
  const gradient = probabilities.mul(rowScale).sub(targetDistribution).mul(outputScale(gradOutput, totalWeight, layout, settings));
  return gradient.to(input.dtype).reshape([...input.shape]);
}
