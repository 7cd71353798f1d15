/**
 * Parity of the functional ops with PyTorch: every case of
 * `__fixtures__/norm.json` (written by `tooling/parity/cases_norm.py` with
 * PyTorch 1.13, `pnpm parity`) is rebuilt, run forward and compared (dtype,
 * shape, values within rtol 1e-4, atol 1e-5), then run backward with
 * PyTorch's upstream gradient and each input's gradient compared. Cases
 * where PyTorch raises must throw one of Strata's error classes.
 */
import '@strata/autograd';
import { readFileSync } from 'node:fs';
import * as tensorApi from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches, isAllZero } from '../../../tooling/parity/ts/compare.js';
import type { ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import {
  STRATA_ERROR_NAMES,
  buildInput,
  buildTensor,
  floatOutputs,
  resolveArgs,
  runCase,
  thrownBy,
} from '../../../tooling/parity/ts/harness.js';
import * as normApi from './index.js';

const api = { ...tensorApi, ...normApi };
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/norm.json', import.meta.url), 'utf8')) as ParityFixture;
const tolerance = fixture.tolerance.float32;

describe(`PyTorch ${fixture.torch} parity: functional normalization`, () => {
  it('covers every functional op', () => {
    const ops = new Set(fixture.cases.map((testCase) => testCase.op));
    expect([...ops].sort()).toEqual(['batchNorm', 'groupNorm', 'instanceNorm', 'layerNorm', 'localResponseNorm', 'rmsNorm']);
  });

  for (const testCase of fixture.cases) {
    it(testCase.name, () => {
      const differentiable = testCase.grads !== undefined;
      const inputs = testCase.inputs.map((spec) => buildInput(api, spec, differentiable));
      const args = resolveArgs(testCase.args, inputs);
      if (testCase.expected.kind === 'error') {
        const error = thrownBy(() => runCase(api, testCase, args));
        const name = error instanceof Error ? error.name : String(error);
        expect(name, `PyTorch raised "${testCase.expected.value}"`).toBeOneOf([...STRATA_ERROR_NAMES]);
        return;
      }
      const { result } = runCase(api, testCase, args);
      expectOutputMatches(result, testCase.expected, tolerance, `${testCase.name}: forward`);
      if (!differentiable) return;
      const outputs = floatOutputs(result);
      expect(outputs.length).toBe(testCase.upstream!.length);
      outputs[0]!.backward(buildTensor(api, testCase.upstream![0]!));
      testCase.grads!.forEach((expected, i) => {
        const leaf = inputs[i]!.leaf;
        if (expected === null) {
          if (leaf.grad !== null) expect(isAllZero(leaf.grad), `input ${i} is unused in PyTorch`).toBe(true);
          return;
        }
        expectTensorMatches(leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
      });
    });
  }
});
