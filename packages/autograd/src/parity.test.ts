/**
 * Gradient parity with PyTorch: for every differentiable case of the fixtures
 * that `tooling/parity/generate.py` writes with PyTorch (`pnpm parity`), the
 * inputs' bases are built as leaves that require grad, the op runs (through
 * the inputs' view ops), `backward` gets PyTorch's seeded upstream gradient,
 * and each leaf's `.grad` is compared with PyTorch's (rtol 1e-4, atol 1e-5).
 */
import '@strata/autograd';
import * as strata from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectTensorMatches, isAllZero } from '../../../tooling/parity/ts/compare.js';
import { PARITY_FAMILIES, loadFixture } from '../../../tooling/parity/ts/fixtures.js';
import { buildInput, buildTensor, floatOutputs, resolveArgs, runCase } from '../../../tooling/parity/ts/harness.js';

for (const family of PARITY_FAMILIES) {
  const fixture = loadFixture(family);
  const tolerance = fixture.tolerance.float32;
  const differentiable = fixture.cases.filter((testCase) => testCase.grads !== undefined);
  if (differentiable.length === 0) continue;

  describe(`PyTorch ${fixture.torch} parity, gradients: ${family}`, () => {
    for (const testCase of differentiable) {
      it(testCase.name, () => {
        const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, true));
        const { result } = runCase(strata, testCase, resolveArgs(testCase.args, inputs));
        const outputs = floatOutputs(result);
        const upstream = testCase.upstream ?? [];
        expect(outputs.length, 'float outputs to differentiate').toBe(upstream.length);
        outputs.forEach((output, i) => {
          // Outputs of one call share graph nodes (split's pieces, the inputs' views).
          output.backward(buildTensor(strata, upstream[i]!), { retainGraph: i < outputs.length - 1 });
        });
        testCase.grads!.forEach((expected, i) => {
          const leaf = inputs[i]!.leaf;
          if (expected === null) {
            if (leaf.grad !== null) expect(isAllZero(leaf.grad), `input ${i} is unused in PyTorch: no or zero gradient`).toBe(true);
            return;
          }
          expectTensorMatches(leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
        });
      });
    }
  });
}
