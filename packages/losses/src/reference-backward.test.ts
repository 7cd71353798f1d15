import { grad, noGrad } from '@strata/autograd';
import { type Tensor, logSoftmax, manualSeed, randn, tensor } from '@strata/tensor';
import type { KernelName } from '@strata/tensor/backend';
import { maxRelativeDifference, onCompositeDefault, withoutKernel } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { crossEntropy, nllLoss } from './index.js';


const TOLERANCE = { float32: 1e-6, float64: 1e-12 } as const;

interface LossCase {
  name: string;
  /** The logits' shape: [N, C], [N, C, d] or unbatched [C]. */
  shape: number[];
  target: number[] | number[][] | number;
  options: { weight?: number[]; ignoreIndex?: number; labelSmoothing?: number; reduction?: 'none' | 'mean' | 'sum' };
}

const cases: LossCase[] = [
  { name: '[N, C], mean', shape: [4, 5], target: [0, 3, 4, 3], options: {} },
  { name: '[N, C], sum, class weights', shape: [4, 5], target: [0, 3, 4, 1], options: { reduction: 'sum', weight: [0.5, 2, 1, 0.25, 3] } },
  { name: '[N, C], mean, weights and ignoreIndex', shape: [5, 4], target: [0, -100, 2, 3, 2], options: { weight: [1, 2, 0.5, 3] } },
  { name: '[N, C, d], none, ignoreIndex 2', shape: [2, 4, 3], target: [[0, 2, 1], [3, 3, 2]], options: { reduction: 'none', ignoreIndex: 2 } },
  { name: '[C] unbatched, sum', shape: [6], target: 4, options: { reduction: 'sum' } },
];
const smoothed: LossCase[] = [
  { name: '[N, C], mean, labelSmoothing', shape: [4, 5], target: [0, 3, 4, 3], options: { labelSmoothing: 0.2 } },
  {
    name: '[N, C, d], mean, labelSmoothing, weights and ignoreIndex', shape: [3, 4, 2], target: [[0, 1], [-100, 3], [2, 2]],
    options: { labelSmoothing: 0.1, weight: [1, 2, 0.5, 3] },
  },
  { name: '[N, C], none, labelSmoothing and weights', shape: [3, 4], target: [1, 0, 3], options: { reduction: 'none', labelSmoothing: 0.3, weight: [1, 2, 0.5, 3] } },
];

/**
 * Three SGD steps of learnable logits under `loss` (a non-reduced loss is
 * summed with varying factors): every loss value, gradient and updated logit.
 */
function train(testCase: LossCase, dtype: 'float32' | 'float64', loss: (logits: Tensor, target: Tensor, weight: Tensor | undefined) => Tensor): number[] {
  manualSeed(17);
  const logits = randn(testCase.shape, { dtype }).mul(2).requiresGrad_();
  const target = tensor(testCase.target, { dtype: 'int32' });
  const weight = testCase.options.weight === undefined ? undefined : tensor(testCase.options.weight, { dtype });
  const record: number[] = [];
  for (let step = 0; step < 3; step++) {
    const output = loss(logits, target, weight);
    const total = output.ndim === 0 ? output : output.mul(randn(output.shape, { dtype })).sum();
    total.backward();
    record.push(...output.toTypedArray(), ...logits.grad!.toTypedArray());
    noGrad(() => logits.sub_(logits.grad!.mul(0.5)));
    logits.grad = null;
  }
  record.push(...logits.toTypedArray());
  return record;
}

describe('the defaults of the class-index loss gradients, composed of forward ops', () => {
  for (const testCase of [...cases, ...smoothed]) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`trains logits under crossEntropy (${testCase.name}, ${dtype}) to the same numbers without crossEntropyBackward`, () => {
        const run = (): number[] => train(testCase, dtype, (logits, target, weight) => crossEntropy(logits, target, { ...testCase.options, weight }));
        expect(maxRelativeDifference(run(), onCompositeDefault('crossEntropyBackward', run))).toBeLessThanOrEqual(TOLERANCE[dtype]);
      });
    }
  }

  for (const testCase of cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`trains logits under nllLoss of logSoftmax (${testCase.name}, ${dtype}) to the same numbers without nllLossBackward`, () => {
        const classDim = testCase.shape.length === 1 ? 0 : 1;
        const run = (): number[] => train(testCase, dtype, (logits, target, weight) => nllLoss(logSoftmax(logits, classDim), target, { ...testCase.options, weight }));
        expect(maxRelativeDifference(run(), onCompositeDefault('nllLossBackward', run))).toBeLessThanOrEqual(TOLERANCE[dtype]);
      });
    }
  }
});

describe('a createGraph backward of the class-index losses', () => {
  const runs: [KernelName, (x: Tensor) => Tensor][] = [
    ['crossEntropyBackward', (x) => crossEntropy(x, tensor([0, 3, 4, 1], { dtype: 'int32' }), { labelSmoothing: 0.1 })],
    ['nllLossBackward', (x) => nllLoss(logSoftmax(x, 1), tensor([0, 3, 4, 1], { dtype: 'int32' }), { weight: tensor([0.5, 2, 1, 0.25, 3], { dtype: 'float64' }) })],
  ];
  for (const [kernel, loss] of runs) {
    it(`runs the composite default of ${kernel} (taken out, only createGraph fails)`, () => {
      manualSeed(4);
      const x = randn([4, 5], { dtype: 'float64', requiresGrad: true });
      const firstOrder = (): unknown => grad([loss(x)], [x]);
      const secondOrder = (): unknown => grad([loss(x)], [x], null, { createGraph: true });
      withoutKernel(kernel, 'composite', () => {
        expect(firstOrder).not.toThrow();
        expect(secondOrder).toThrow(`compositeKernel: no default composed of forward ops is registered for '${kernel}'`);
      });
      expect(secondOrder).not.toThrow();
    });
  }
});
