/**
 * Property tests: for every loss, `'sum'` is the sum of the `'none'` losses
 * and `'mean'` their mean (for the class-index losses: the sum divided by
 * the weights of the targets), and a non-contiguous input gives the loss of
 * its contiguous copy.
 */
import { type Tensor, logSoftmax, rand, randint, randn, softmax } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Reduction,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  cosineEmbeddingLoss,
  crossEntropy,
  huberLoss,
  klDiv,
  l1Loss,
  marginRankingLoss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  tripletMarginLoss,
} from './index.js';

type Loss = (reduction: Reduction) => Tensor;

/** Each loss on fresh inputs of shape [n, c], as a function of the reduction only. */
function elementwiseLosses(n: number, c: number): Record<string, Loss> {
  const [x, y] = [randn([n, c]), randn([n, c])];
  const probability = rand([n, c]).mul(0.9).add(0.05);
  const logProbability = logSoftmax(randn([n, c]), 1);
  const distribution = softmax(randn([n, c]), 1);
  const signs = randint(0, 2, [n], { dtype: 'int32' }).mul(2).sub(1);
  const elementSigns = randint(0, 2, [n, c], { dtype: 'int32' }).mul(2).sub(1);
  const [weight, posWeight] = [rand([c]), rand([c])];
  return {
    mseLoss: (reduction) => mseLoss(x, y, { reduction }),
    l1Loss: (reduction) => l1Loss(x, y, { reduction }),
    smoothL1Loss: (reduction) => smoothL1Loss(x, y, { reduction, beta: 0.5 }),
    huberLoss: (reduction) => huberLoss(x, y, { reduction, delta: 0.5 }),
    binaryCrossEntropy: (reduction) => binaryCrossEntropy(probability, distribution, { reduction, weight }),
    binaryCrossEntropyWithLogits: (reduction) => binaryCrossEntropyWithLogits(x, distribution, { reduction, posWeight }),
    klDiv: (reduction) => klDiv(logProbability, distribution, { reduction }),
    crossEntropyProbabilities: (reduction) => crossEntropy(x, distribution, { reduction, labelSmoothing: 0.1 }),
    cosineEmbeddingLoss: (reduction) => cosineEmbeddingLoss(x, y, signs, { reduction, margin: 0.1 }),
    marginRankingLoss: (reduction) => marginRankingLoss(x, y, elementSigns, { reduction, margin: 0.2 }),
    tripletMarginLoss: (reduction) => tripletMarginLoss(x, y, logProbability, { reduction, swap: true }),
  };
}

const sizes = fc.record({ n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 6 }) });

describe('reductions', () => {
  it("'sum' and 'mean' are the sum and the mean of 'none', for every elementwise loss", () => {
    fc.assert(
      fc.property(sizes, ({ n, c }) => {
        for (const [name, loss] of Object.entries(elementwiseLosses(n, c))) {
          const none = loss('none');
          expect(loss('sum').item(), name).toBeCloseTo(none.sum().item(), 4);
          expect(loss('mean').item(), name).toBeCloseTo(none.mean().item(), 4);
        }
      }),
      { numRuns: 25 },
    );
  });

  it("'mean' of the class-index losses divides the sum by the weights of the targets not ignored", () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), ({ n, c }, inner, smoothing) => {
        const logits = randn([n, c, inner]);
        const target = randint(-1, c, [n, inner], { dtype: 'int32' });
        const weight = rand([c]).add(0.1);
        const targets = target.toTypedArray();
        const weights = weight.toTypedArray();
        let total = 0;
        for (const t of targets) if (t !== -1) total += weights[t]!;
        for (const [name, loss] of [
          ['crossEntropy', (reduction: Reduction) => crossEntropy(logits, target, { weight, ignoreIndex: -1, labelSmoothing: smoothing, reduction })],
          ['nllLoss', (reduction: Reduction) => nllLoss(logits, target, { weight, ignoreIndex: -1, reduction })],
        ] as const) {
          const sum = loss('none').sum().item();
          expect(loss('sum').item(), name).toBeCloseTo(sum, 4);
          if (total > 0) expect(loss('mean').item(), name).toBeCloseTo(sum / total, 4);
          else expect(loss('mean').item(), name).toBeNaN();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a transposed (non-contiguous) input gives the loss of its contiguous copy', () => {
    fc.assert(
      fc.property(sizes, ({ n, c }) => {
        const logits = randn([c, n]).t();
        const copy = logits.contiguous();
        const target = randint(0, c, [n], { dtype: 'int32' });
        expect(crossEntropy(logits, target, { reduction: 'none' }).tolist()).toEqual(crossEntropy(copy, target, { reduction: 'none' }).tolist());
        const other = randn([n, c]);
        expect(mseLoss(logits, other).item()).toBe(mseLoss(copy, other).item());
      }),
      { numRuns: 20 },
    );
  });
});
