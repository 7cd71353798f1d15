import { noGrad } from '@strata/autograd';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { type KernelName, backendOf, kernelOf, registerKernel, unregisterKernel } from '@strata/tensor/backend';
import { describe, expect, it } from 'vitest';
import { Conv2d, MaxPool2d, MaxUnpool2d, maxPool2d } from './index.js';

/** Runs `body` with the fused CPU kernel `name` unregistered, so its default composed of forward ops is active. */
function withoutFused<T>(name: KernelName, body: () => T): T {
  const fused = kernelOf(name, 'cpu');
  expect(fused).not.toBeNull();
  unregisterKernel(name, 'cpu');
  try {
    expect(backendOf(name)).toBe('composite');
    return body();
  } finally {
    registerKernel(name, fused!, { override: true });
  }
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
