/** The README's example, run as written (with its claims checked). */
import '@strata/autograd';
import { manualSeed, randn, zeros } from '@strata/tensor';
import { expect, it } from 'vitest';
import { Adam, CosineAnnealingLR, LinearLR, SequentialLR, clipGradNorm } from './index.js';

it('the README example trains and resumes', () => {
  manualSeed(0);
  const x = randn([256, 3]);
  const y = x.matmul(randn([3, 1])).add(0.5);
  const weight = zeros([3, 1]).requiresGrad_();
  const bias = zeros([1]).requiresGrad_();

  const optimizer = new Adam([{ params: [weight] }, { params: [bias], weightDecay: 0 }], { lr: 0.1, weightDecay: 1e-4 });
  const scheduler = new SequentialLR(
    optimizer,
    [new LinearLR(optimizer, { startFactor: 0.1, totalIters: 10 }), new CosineAnnealingLR(optimizer, 190, { etaMin: 1e-3 })],
    [10],
  );

  for (let step = 0; step < 200; step++) {
    optimizer.zeroGrad();
    const loss = x.matmul(weight).add(bias).sub(y).square().mean();
    loss.backward();
    clipGradNorm([weight, bias], 1.0);
    optimizer.step();
    scheduler.step();
  }
  expect(bias.item()).toBeCloseTo(0.5, 2);

  const checkpoint = { optimizer: optimizer.stateDict(), scheduler: scheduler.stateDict() };
  optimizer.loadStateDict(checkpoint.optimizer);
  scheduler.loadStateDict(checkpoint.scheduler);
  expect(scheduler.getLastLr()).toEqual(optimizer.paramGroups.map((group) => group.lr));
});
