/**
 * The fused attention softmax (scale and masks folded in, one pass per row)
 * against its defaults composed of forward ops, which a backend without the
 * fused CPU (and wasm) passes runs: the same outputs and gradients through a
 * MultiheadAttention with both mask kinds.
 */
import { type Tensor, manualSeed, randn, tensor } from '@strata/tensor';
import { backendOf } from '@strata/tensor/backend';
import { maxRelativeDifference, onCompositeDefault } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { MultiheadAttention } from './index.js';

const FUSED = ['scaledMaskedSoftmax', 'scaledMaskedSoftmaxBackward'] as const;
const TOLERANCE = { float32: 1e-5, float64: 1e-12 } as const;

/** The output, the attention weights and every gradient of one forward and backward, as one list of numbers. */
function attentionRun(dtype: 'float32' | 'float64'): number[] {
  manualSeed(11);
  const mha = new MultiheadAttention(8, 2, { batchFirst: true });
  if (dtype === 'float64') mha.double();
  const x = randn([2, 5, 8], { dtype, requiresGrad: true });
  const attnMask = tensor([
    [false, true, true, true, true], [false, false, true, true, true], [false, false, false, true, true],
    [false, false, false, false, true], [false, false, false, false, false],
  ]);
  const keyPaddingMask = tensor([[false, false, false, false, true], [false, false, false, false, false]]);
  const [output, weights] = mha.forward(x, x, x, { attnMask, keyPaddingMask, averageAttnWeights: false });
  output.mul(randn(output.shape, { dtype })).sum().backward();
  const results: Tensor[] = [output.detach(), weights!.detach(), x.grad!, ...mha.parameters().map((parameter) => parameter.grad!)];
  return results.flatMap((result) => [...result.toTypedArray()].map(Number));
}

describe('the fused attention softmax and its defaults in forward ops', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`give the same MultiheadAttention outputs and gradients (${dtype}, causal and key-padding masks)`, () => {
      const fused = attentionRun(dtype);
      // The wasm kernels (where this runtime has them) and the CPU ones taken out, the composite defaults answer.
      const composite = onCompositeDefault(FUSED, () => attentionRun(dtype));
      for (const name of FUSED) expect(backendOf(name)).not.toBe('composite');
      expect(fused.length).toBeGreaterThan(2 * 5 * 8 + 2 * 2 * 5 * 5);
      expect(maxRelativeDifference(fused, composite)).toBeLessThan(TOLERANCE[dtype]);
    });
  }
});
