import { noGrad } from '@strata/autograd';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { type KernelName, backendOf } from '@strata/tensor/backend';
import { maxRelativeDifference, withoutKernel } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d, Conv2d, MaxPool2d, MaxUnpool2d, maxPool2d,
} from './index.js';

/** Runs `body` with the fused CPU kernel `name` taken out, so its default composed of forward ops is active. */
function withoutFused<T>(name: KernelName, body: () => T): T {
  const result = withoutKernel(name, 'cpu', () => {
    expect(backendOf(name)).toBe('composite');
    return body();
  });
  return result;
}

/** Three SGD steps of a convolution followed by max pooling (and max unpooling): every output, gradient and weight. */
function train(unpool: boolean): number[] {
  manualSeed(3);
  const conv = new Conv2d(2, 3, 3, { padding: 1 });
  conv.double();
  const pool = new MaxPool2d(2, { stride: 2, padding: 1, returnIndices: true });
  const unpoolLayer = new MaxUnpool2d(2, { stride: 2, padding: 1 });
  const input = randn([2, 2, 7, 7], { dtype: 'float64' });
  const record: number[] = [];
  for (let step = 0; step < 3; step++) {
    const [pooled, indices] = pool.forward(conv.forward(input)) as [Tensor, Tensor];
    const output = unpool ? unpoolLayer.forward(pooled, indices, [7, 7]) : pooled;
    const loss = output.mul(output.cos()).sum();
    loss.backward();
    record.push(...output.toTypedArray());
    noGrad(() => {
      for (const parameter of conv.parameters()) {
        record.push(...parameter.grad!.toTypedArray());
        parameter.sub_(parameter.grad!.mul(0.05));
        parameter.grad = null;
      }
    });
  }
  return record;
}


/**
 * Three SGD steps of a learnable input through `pool` (rank 1 to 3, in
 * `dtype`): every output, input gradient and updated input.
 */
function trainThroughPool(pool: (x: Tensor) => Tensor, shape: readonly number[], dtype: 'float32' | 'float64'): number[] {
  manualSeed(11);
  const input = randn([...shape], { dtype }).requiresGrad_();
  const record: number[] = [];
  for (let step = 0; step < 3; step++) {
    const output = pool(input);
    output.mul(output.sin()).sum().backward();
    record.push(...output.toTypedArray(), ...input.grad!.toTypedArray());
    noGrad(() => input.sub_(input.grad!.mul(0.1)));
    input.grad = null;
  }
  record.push(...input.toTypedArray());
  return record;
}

describe('the defaults of the max pooling and padding index kernels, composed of forward ops', () => {
  it('train a convolution + max pooling to the same numbers without maxPoolBackward', () => {
    const fused = train(false);
    const composite = withoutFused('maxPoolBackward', () => train(false));
    fused.forEach((value, index) => expect(Math.abs(composite[index]! - value)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(value))));
  });

  it('train through max unpooling to the same numbers without maxUnpoolBackward', () => {
    const fused = train(true);
    const composite = withoutFused('maxUnpoolBackward', () => train(true));
    fused.forEach((value, index) => expect(Math.abs(composite[index]! - value)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(value))));
  });

  it('train a circular- and a reflect-padded convolution to the same numbers without convolutionPadBackward', () => {
    for (const paddingMode of ['circular', 'reflect'] as const) {
      const run = (): number[] => {
        manualSeed(5);
        const conv = new Conv2d(2, 3, 3, { padding: 2, paddingMode });
        conv.double();
        const input = randn([2, 2, 6, 5], { dtype: 'float64' }).requiresGrad_();
        const record: number[] = [];
        for (let step = 0; step < 3; step++) {
          conv.forward(input).tanh().sum().backward();
          record.push(...input.grad!.toTypedArray());
          input.grad = null;
          noGrad(() => {
            for (const parameter of conv.parameters()) {
              record.push(...parameter.grad!.toTypedArray());
              parameter.sub_(parameter.grad!.mul(0.05));
              parameter.grad = null;
            }
          });
        }
        return record;
      };
      const fused = run();
      const composite = withoutFused('convolutionPadBackward', run);
      fused.forEach((value, index) => expect(Math.abs(composite[index]! - value)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(value))));
    }
  });

  it('give the functional maxPool2d the same input gradient, bit for bit', () => {
    const x = randn([2, 3, 5, 5], { dtype: 'float64' }).requiresGrad_();
    const inputGradient = (): number[] => {
      maxPool2d(x, 3, { stride: 2, padding: 1 }).sin().sum().backward();
      const result = Array.from(x.grad!.toTypedArray());
      x.grad = null;
      return result;
    };
    expect(withoutFused('maxPoolBackward', inputGradient)).toEqual(inputGradient());
  });
});

describe('the defaults of the average pooling gradients, composed of forward ops', () => {
  const avgCases = [
    { name: '1-d, padding, countIncludePad', pool: new AvgPool1d(3, { stride: 2, padding: 1 }), shape: [2, 3, 9] },
    { name: '2-d, padding, countIncludePad false', pool: new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), shape: [2, 2, 7, 6] },
    { name: '2-d, ceilMode, overlapping windows', pool: new AvgPool2d([3, 2], { stride: [2, 1], padding: [1, 0], ceilMode: true }), shape: [1, 3, 8, 5] },
    {
      name: '2-d, ceilMode, countIncludePad false',
      pool: new AvgPool2d(2, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), shape: [2, 2, 6, 7],
    },
    { name: '2-d, divisorOverride', pool: new AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 5 }), shape: [2, 2, 7, 7] },
    { name: '3-d, unbatched, ceilMode', pool: new AvgPool3d(2, { stride: 2, padding: 1, ceilMode: true }), shape: [2, 5, 4, 5] },
  ];
  for (const { name, pool, shape } of avgCases) {
    it(`train through average pooling (${name}) to the same numbers without avgPoolBackward`, () => {
      const run = (dtype: 'float32' | 'float64') => trainThroughPool((x) => pool.forward(x), shape, dtype);
      expect(maxRelativeDifference(run('float64'), withoutFused('avgPoolBackward', () => run('float64')))).toBeLessThanOrEqual(1e-12);
      expect(maxRelativeDifference(run('float32'), withoutFused('avgPoolBackward', () => run('float32')))).toBeLessThanOrEqual(1e-6);
    });
  }

  it('train a convolution + average pooling to the same weights without avgPoolBackward', () => {
    const run = (): number[] => {
      manualSeed(3);
      const conv = new Conv2d(2, 3, 3, { padding: 1 });
      conv.double();
      const pool = new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false });
      const input = randn([2, 2, 8, 7], { dtype: 'float64' });
      const record: number[] = [];
      for (let step = 0; step < 3; step++) {
        pool.forward(conv.forward(input)).cos().sum().backward();
        noGrad(() => {
          for (const parameter of conv.parameters()) {
            record.push(...parameter.grad!.toTypedArray());
            parameter.sub_(parameter.grad!.mul(0.05));
            parameter.grad = null;
          }
        });
      }
      return record;
    };
    expect(maxRelativeDifference(run(), withoutFused('avgPoolBackward', run))).toBeLessThanOrEqual(1e-12);
  });

  const adaptiveCases = [
    { name: '1-d, overlapping windows', pool: new AdaptiveAvgPool1d(4), shape: [2, 3, 7] },
    { name: '2-d, growing and shrinking', pool: new AdaptiveAvgPool2d([3, 7]), shape: [2, 2, 8, 5] },
    { name: '3-d, unbatched', pool: new AdaptiveAvgPool3d([2, 3, 2]), shape: [2, 5, 4, 3] },
  ];
  for (const { name, pool, shape } of adaptiveCases) {
    it(`train through adaptive average pooling (${name}) to the same numbers without adaptiveAvgPoolBackward`, () => {
      const run = (dtype: 'float32' | 'float64') => trainThroughPool((x) => pool.forward(x), shape, dtype);
      const fused = run('float64');
      expect(maxRelativeDifference(fused, withoutFused('adaptiveAvgPoolBackward', () => run('float64')))).toBeLessThanOrEqual(1e-12);
      expect(maxRelativeDifference(run('float32'), withoutFused('adaptiveAvgPoolBackward', () => run('float32')))).toBeLessThanOrEqual(1e-6);
    });
  }
});
