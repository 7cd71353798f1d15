import { grad } from '@strata/autograd';
import type { Module } from '@strata/module';
import { sgdTrace } from '@strata/module/testing';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import type { KernelName } from '@strata/tensor/backend';
import { onCompositeDefault, withoutKernel } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm, LocalResponseNorm, RMSNorm } from './index.js';

/**
 * Trains `makeLayer()` for three SGD steps on a fixed input and target
 * (see `sgdTrace`): outputs, gradients and the final parameters.
 */
function train(makeLayer: () => Module, shape: number[]): number[] {
  manualSeed(7);
  const layer = makeLayer();
  layer.double();
  const input = randn(shape, { dtype: 'float64' });
  const target = randn(shape, { dtype: 'float64' });
  return sgdTrace(layer, input, {
    forward: (trained, x) => trained.forward(x) as Tensor,
    loss: (output) => output.sub(target).square().mean().add(output.mul(target).sin().sum()),
    learningRate: 0.1,
  });
}

const cases: [KernelName, string, () => Module, number[]][] = [
  ['batchNormBackward', 'BatchNorm2d', () => new BatchNorm2d(3), [4, 3, 5, 5]],
  ['groupNormBackward', 'GroupNorm', () => new GroupNorm(2, 4), [3, 4, 6]],
  ['groupNormBackward', 'InstanceNorm2d (affine)', () => new InstanceNorm2d(3, { affine: true }), [2, 3, 4, 4]],
  ['layerNormBackward', 'LayerNorm', () => new LayerNorm([4, 5]), [3, 4, 5]],
  ['rmsNormBackward', 'RMSNorm', () => new RMSNorm(6), [5, 6]],
  ['localResponseNormBackward', 'LocalResponseNorm', () => new LocalResponseNorm(3, { alpha: 0.1 }), [2, 6, 3, 3]],
];

describe('the defaults of the fused backward kernels, composed of forward ops', () => {
  for (const [kernel, label, makeLayer, shape] of cases) {
    it(`${label} trains to the same numbers with ${kernel} unregistered`, () => {
      const fused = train(makeLayer, shape);
      const composite = onCompositeDefault(kernel, () => train(makeLayer, shape));
      expect(composite.length).toBe(fused.length);
      for (let index = 0; index < fused.length; index++) {
        expect(Math.abs(composite[index]! - fused[index]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(fused[index]!)));
      }
    });
  }

  it('BatchNorm2d in evaluation mode (constant statistics) too', () => {
    const makeLayer = (): Module => {
      const layer = new BatchNorm2d(3);
      layer.eval();
      return layer;
    };
    const fused = train(makeLayer, [2, 3, 4, 4]);
    const composite = onCompositeDefault('batchNormBackward', () => train(makeLayer, [2, 3, 4, 4]));
    fused.forEach((value, index) => expect(Math.abs(composite[index]! - value)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(value))));
  });
});

describe('a createGraph backward', () => {
  for (const [kernel, label, makeLayer, shape] of cases) {
    it(`of ${label} runs the composite default of ${kernel} (taken out, only createGraph fails)`, () => {
      manualSeed(9);
      const layer = makeLayer();
      layer.double();
      const x = randn(shape, { dtype: 'float64', requiresGrad: true });
      const firstOrder = (): unknown => grad([(layer.forward(x) as Tensor).sin().sum()], [x]);
      const secondOrder = (): unknown => grad([(layer.forward(x) as Tensor).sin().sum()], [x], null, { createGraph: true });
      withoutKernel(kernel, 'composite', () => {
        expect(firstOrder).not.toThrow();
        expect(secondOrder).toThrow(`compositeKernel: no default composed of forward ops is registered for '${kernel}'`);
      });
      expect(secondOrder).not.toThrow();
    });
  }
});
