import { noGrad } from '@strata/autograd';
import { manualSeed, randn, tensor, type Tensor } from '@strata/tensor';

/** What the quickstart computes, returned so a test can check it. */
export interface QuickstartResult {
  losses: number[];
  weight: Tensor;
}

/**
 * Fits `y = x·w` by gradient descent on 64 noisy samples of a known `w`, with
 * autograd computing each step's gradient.
 */
export function runQuickstart(steps = 50, log: (line: string) => void = console.log): QuickstartResult {
  manualSeed(0);
  const trueWeight = tensor([[2], [-3], [0.5]]);
  const x = randn([64, 3]);
  const y = x.matmul(trueWeight).add(randn([64, 1]).mul(0.01));
  const weight = tensor([[0], [0], [0]], { requiresGrad: true });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = x.matmul(weight).sub(y).square().mean();
    loss.backward();
    losses.push(loss.item());
    noGrad(() => weight.sub_(weight.grad!, { alpha: 0.1 }));
    weight.grad = null;
    if (step % 10 === 0 || step === steps - 1) log(`step ${String(step).padStart(2)}  loss ${loss.item().toFixed(6)}`);
  }
  log(`learned weight: ${weight.detach().toString()}`);
  log(`true weight:    ${trueWeight.toString()}`);
  return { losses, weight };
}
