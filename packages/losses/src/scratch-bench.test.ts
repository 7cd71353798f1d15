import '@strata/autograd';
import { logSoftmax, randint, randn } from '@strata/tensor';
import { it } from 'vitest';
import { crossEntropy, nllLoss } from './index.js';

function time(label: string, fn: () => void, iterations: number): void {
  for (let i = 0; i < 50; i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  console.log(`${label}: ${(((performance.now() - start) / iterations) * 1000).toFixed(1)} µs`);
}

it('bench', () => {
  for (const [shape, targetShape] of [[[128, 10], [128]], [[64, 10], [64]], [[256, 1000], [256]], [[8, 21, 64, 64], [8, 64, 64]]] as const) {
    const x = randn([...shape], { requiresGrad: true });
    const t = randint(0, shape[1], [...targetShape], { dtype: 'int32' });
    const n = shape[0] * shape[1] > 10000 ? 50 : 2000;
    time(`fused ${shape}`, () => { x.grad = null; crossEntropy(x, t, { labelSmoothing: 0.1 }).backward(); }, n);
    time(`fused plain ${shape}`, () => { x.grad = null; crossEntropy(x, t).backward(); }, n);
    time(`composed ${shape}`, () => { x.grad = null; nllLoss(logSoftmax(x, 1), t).backward(); }, n);
  }
});
