import '@strata/autograd';
import { logSoftmax, randint, randn } from '@strata/tensor';
import { it } from 'vitest';
import { crossEntropy, nllLoss } from './index.js';

function time(label: string, fn: () => void, iterations: number): void {
  for (let i = 0; i < 20; i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  console.log(`${label}: ${(((performance.now() - start) / iterations) * 1000).toFixed(1)} µs, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
}

it('bench', () => {
  const shapes = [[[128, 10], [128]], [[64, 10], [64]], [[256, 1000], [256]], [[8, 21, 64, 64], [8, 64, 64]]] as const;
  for (const [shape, targetShape] of shapes) {
    const x = randn([...shape], { requiresGrad: true });
    const t = randint(0, shape[1], [...targetShape], { dtype: 'int32' });
    const n = x.numel() > 10000 ? 10 : 300;
    time(`fused smoothing ${shape}`, () => { x.grad = null; crossEntropy(x, t, { labelSmoothing: 0.1 }).backward(); }, n);
    time(`fused plain ${shape}`, () => { x.grad = null; crossEntropy(x, t).backward(); }, n);
    time(`composed ${shape}`, () => { x.grad = null; nllLoss(logSoftmax(x, 1), t).backward(); }, n);
  }
}, 600_000);
