/** The README's example, run with its printed values asserted. Keep the two in step. */
import '@strata/autograd';
import { manualSeed, ones, randn, zeros } from '@strata/tensor';
import { expect, it } from 'vitest';
import { BatchNorm2d, LayerNorm, layerNorm } from './index.js';

it('runs the README example', () => {
  manualSeed(0);
  const norm = new BatchNorm2d(3);
  expect(String(norm)).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');

  const x = randn([8, 3, 4, 4]).mul(2).add(5);
  const y = norm.forward(x);
  y.square().mean().backward();
  expect(norm.num_batches_tracked?.item()).toBe(1);
  expect([norm.running_mean?.shape, norm.weight?.grad?.shape]).toEqual([[3], [3]]);

  norm.eval();
  const z = norm.forward(x);
  expect(z.shape).toEqual([8, 3, 4, 4]);
  expect(Object.keys(norm.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);

  const tokens = randn([2, 5, 16]);
  const fromLayer = new LayerNorm(16, { bias: false }).forward(tokens);
  const fromFunction = layerNorm(tokens, 16, { weight: ones([16]), bias: zeros([16]) });
  expect(fromLayer.sub(fromFunction).abs().max().item()).toBe(0);
});
