import { logsumexp, tensor } from '@strata/tensor';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of the class-index loss kernels for `@strata/tensor/testing`:
// the fused CPU backward loops against their defaults composed of forward
// ops, the forward loops against themselves on contiguous copies.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;
const REDUCTIONS = ['none', 'mean', 'sum'] as const;
type Source = Parameters<ArgumentDraw>[0];

/** A random layout, int32 targets (some of them `ignoreIndex`), settings, weight, output gradient and total weight. */
function drawCall(source: Source, round: number, smoothing: boolean) {
  const layout = { batch: source.integer(1, 4), classes: source.integer(1, 6), inner: round % 2 === 0 ? 1 : source.integer(1, 4) };
  const dtype = FLOATS[round % 2]!;
  const reduction = REDUCTIONS[round % 3]!;
  const ignoreIndex = round % 4 === 0 ? -100 : source.integer(0, layout.classes);
  const targets = Array.from({ length: layout.batch * layout.inner }, () => source.integer(0, 5) === 0 ? ignoreIndex : source.integer(0, layout.classes));
  const settings = { reduction, ignoreIndex, labelSmoothing: smoothing && round % 3 !== 2 ? source.integer(1, 5) / 10 : 0 };
  const weight = round % 4 >= 2 ? source.tensor([layout.classes], dtype).abs() : null;
  const gradOutput = reduction === 'none' ? source.tensor([layout.batch, layout.inner], dtype, layouts[round % 4]!) : source.tensor([], dtype);
  const target = tensor(targets, { dtype: 'int32' }).reshape([layout.batch, layout.inner]);
  return { layout, dtype, settings, weight, gradOutput, target, totalWeight: source.integer(1, 8) / 2 };
}

const extraCases: Record<string, ArgumentDraw> = {
  nllLoss: (source, round) => {
    const { layout, dtype, settings, weight, target } = drawCall(source, round, false);
    const input = source.tensor([layout.batch, layout.classes, layout.inner], dtype, layouts[(round + 1) % 4]!);
    return [input, target, weight, layout, settings];
  },
  crossEntropy: (source, round) => {
    const { layout, dtype, settings, weight, target } = drawCall(source, round, true);
    const input = source.tensor([layout.batch, layout.classes, layout.inner], dtype, layouts[(round + 1) % 4]!);
    return [input, target, weight, layout, settings];
  },
  nllLossBackward: (source, round) => {
    const { layout, settings, weight, gradOutput, target, totalWeight } = drawCall(source, round, false);
    return [[layout.batch, layout.classes, layout.inner], target, weight, gradOutput, totalWeight, layout, settings];
  },
  crossEntropyBackward: (source, round) => {
    const { layout, dtype, settings, weight, gradOutput, target, totalWeight } = drawCall(source, round, true);
    const input = source.tensor([layout.batch, layout.classes, layout.inner], dtype, layouts[(round + 1) % 4]!);
    // The log-sum-exp the forward kernel saves: float64 [batch, inner].
    const logSumExp = logsumexp(input.to('float64'), 1);
    return [input, target, weight, logSumExp, gradOutput, totalWeight, layout, settings];
  },
};

describe('losses class-index kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all four, the backward ones against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(['crossEntropy', 'crossEntropyBackward', 'nllLoss', 'nllLossBackward']);
    const againstComposite = cases.filter((check) => check.name.includes('against the reference')).map((check) => check.kernel);
    expect(againstComposite.sort()).toEqual(['crossEntropyBackward', 'nllLossBackward']);
  });
  for (const check of cases) it(check.name, () => check.run());
});
