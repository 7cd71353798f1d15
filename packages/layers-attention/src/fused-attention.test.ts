import '@strata/autograd';
import { dropout } from '@strata/layers-misc';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { scaledDotProductAttention } from './index.js';

/** The attention core written with recorded ops, dropout of the weights included: what the fused op must equal. */
function composed(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, dropoutP: number): Tensor {
  let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(q.shape[q.ndim - 1]!));
  if (mask !== null) scores = scores.add(mask);
  return dropout(scores.softmax(-1), { p: dropoutP, training: true }).matmul(v);
}

function maxRelativeDifference(actual: Tensor, expected: Tensor): number {
  const a = actual.toTypedArray();
  const b = expected.toTypedArray();
  let largest = 0;
  let difference = 0;
  for (let index = 0; index < b.length; index++) {
    largest = Math.max(largest, Math.abs(b[index]!));
    difference = Math.max(difference, Math.abs(a[index]! - b[index]!));
  }
  return difference / largest;
}

describe('the fused attention op', () => {
  const cases = [
    { dtype: 'float32', shape: [2, 4, 33, 16], dropoutP: 0, masked: false },
    { dtype: 'float32', shape: [3, 2, 20, 8], dropoutP: 0.25, masked: true },
    { dtype: 'float64', shape: [2, 3, 9, 5], dropoutP: 0.4, masked: true },
  ] as const;
  for (const { dtype, shape, dropoutP, masked } of cases) {
    it(`gives the composed ops' output and gradients (${dtype}, dropout ${dropoutP}${masked ? ', float mask' : ''}), the noise drawn alike`, () => {
      manualSeed(11);
      const [q, k, v] = [0, 1, 2].map(() => randn([...shape], { dtype, requiresGrad: true }));
      const upstream = randn([...shape], { dtype });
      const length = shape[2];
      const mask = masked ? randn([length, length], { dtype }) : null;
      const run = (attend: () => Tensor): Tensor[] => {
        for (const input of [q!, k!, v!]) input.grad = null;
        manualSeed(12);
        const output = attend();
        output.backward(upstream);
        return [output, q!.grad!, k!.grad!, v!.grad!];
      };
      const fused = run(() => scaledDotProductAttention(q!, k!, v!, { attnMask: mask, dropoutP }));
      const reference = run(() => composed(q!, k!, v!, mask, dropoutP));
      const tolerance = dtype === 'float32' ? 1e-5 : 1e-12;
      for (let index = 0; index < 4; index++) expect(maxRelativeDifference(fused[index]!, reference[index]!)).toBeLessThan(tolerance);
    });
  }
});
