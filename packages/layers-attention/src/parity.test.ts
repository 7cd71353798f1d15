/**
 * Parity with PyTorch, from `__fixtures__/attention.json`, which
 * `tooling/parity/cases_attention.py` writes with real PyTorch
 * (`/usr/bin/python3 tooling/parity/generate.py --family attention`):
 * each case's result, the gradient of every input, and PyTorch's errors.
 */
import '@strata/autograd';
import * as strata from '@strata/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import { STRATA_ERROR_NAMES, buildInput, buildTensor, floatOutputs, resolveArgs, runCase, thrownBy } from '../../../tooling/parity/ts/harness.js';
import * as layers from './index.js';

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/attention.json', import.meta.url), 'utf8')) as ParityFixture;
const api = { ...strata, ...layers };
const tolerance = fixture.tolerance.float32;

describe(`PyTorch ${fixture.torch} parity: @strata/layers-attention`, () => {
  it('has cases', () => expect(fixture.cases.length).toBeGreaterThan(0));

  for (const testCase of fixture.cases) {
    it(testCase.name, () => {
      const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, testCase.grads !== undefined));
      const args = resolveArgs(testCase.args, inputs);
      if (testCase.expected.kind === 'error') {
        const error = thrownBy(() => runCase(api, testCase, args));
        expect(error, `PyTorch raised: ${testCase.expected.value}`).toBeInstanceOf(Error);
        expect(STRATA_ERROR_NAMES).toContain((error as Error).name);
        return;
      }
      const { result } = runCase(api, testCase, args);
      expectOutputMatches(result, testCase.expected, tolerance, `${testCase.name}: forward`);
      floatOutputs(result).forEach((output, i) => output.backward(buildTensor(strata, testCase.upstream![i]!)));
      testCase.grads!.forEach((expected, i) => {
        if (expected !== null) expectTensorMatches(inputs[i]!.leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
      });
    });
  }
});
