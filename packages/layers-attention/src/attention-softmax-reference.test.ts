import { grad } from '@strata/autograd';
import type { Module } from '@strata/module';
import { sgdTrace } from '@strata/module/testing';
import { type Tensor, manualSeed, randn, tensor } from '@strata/tensor';
import { maxRelativeDifference, onCompositeDefault } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { MultiheadAttention, TransformerEncoderLayer, scaledDotProductAttention } from './index.js';

type DType = 'float32' | 'float64';

/** Three SGD steps of `makeLayer()` on a fixed input (see `sgdTrace`). */
function train(makeLayer: () => Module, run: (layer: Module, x: Tensor) => Tensor, shape: number[], dtype: DType): number[] {
  manualSeed(23);
  const layer = makeLayer();
  if (dtype === 'float64') layer.double();
  return sgdTrace(layer, randn(shape, { dtype }), { forward: run, loss: (output) => output.mul(output.sin()).sum(), learningRate: 0.05 });
}

const cases: [string, () => Module, (layer: Module, x: Tensor) => Tensor, number[]][] = [
  ['MultiheadAttention (self-attention, causal mask)', () => new MultiheadAttention(8, 2), (layer, x) => {
    const length = x.shape[0]!;
    const causal = tensor(Array.from({ length }, (_, row) => Array.from({ length }, (_, column) => column > row)));
    return (layer as MultiheadAttention).forward(x, x, x, { attnMask: causal })[0];
  }, [5, 2, 8]],
  ['TransformerEncoderLayer (batch first, norm first)', () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true }),
    (layer, x) => (layer as TransformerEncoderLayer).forward(x), [2, 6, 8]],
];

describe('the default of the fused attention softmax backward, composed of forward ops', () => {
  for (const [label, makeLayer, run, shape] of cases) {
    it(`${label} trains to the same numbers with attentionSoftmaxBackward unregistered`, () => {
      const fused = train(makeLayer, run, shape, 'float64');
      const composite = onCompositeDefault('attentionSoftmaxBackward', () => train(makeLayer, run, shape, 'float64'));
      expect(composite.length).toBe(fused.length);
      expect(maxRelativeDifference(fused, composite)).toBeLessThanOrEqual(1e-12);
      const fused32 = train(makeLayer, run, shape, 'float32');
      expect(maxRelativeDifference(fused32, onCompositeDefault('attentionSoftmaxBackward', () => train(makeLayer, run, shape, 'float32')))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('is what a createGraph backward records, whichever kernel is active', () => {
    manualSeed(5);
    const [q, k, v] = [randn([2, 3, 4], { dtype: 'float64', requiresGrad: true }), randn([2, 5, 4], { dtype: 'float64' }), randn([2, 5, 3], { dtype: 'float64' })];
    const secondDerivative = (): number[] => {
      const [dq] = grad([scaledDotProductAttention(q, k, v).square().sum()], [q], null, { createGraph: true });
      const [ddq] = grad([dq!.sin().sum()], [q]);
      return Array.from(ddq!.toTypedArray());
    };
    expect(onCompositeDefault('attentionSoftmaxBackward', secondDerivative)).toEqual(secondDerivative());
  });
});
