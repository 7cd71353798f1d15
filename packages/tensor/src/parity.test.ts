/**
 * Forward parity with PyTorch: every case of the fixtures that
 * `tooling/parity/generate.py` writes with PyTorch (`pnpm parity`) is rebuilt
 * here and its result compared: dtype and shape exactly, float values within
 * the fixture's tolerance (rtol 1e-4, atol 1e-5), ints and bools exactly.
 */
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import { PARITY_FAMILIES, loadFixture } from '../../../tooling/parity/ts/fixtures.js';
import {
  STRATA_ERROR_NAMES,
  buildInput,
  methodFormCase,
  resolveArgs,
  runCase,
  thrownBy,
} from '../../../tooling/parity/ts/harness.js';
import * as strata from './index.js';

for (const family of PARITY_FAMILIES) {
  const fixture = loadFixture(family);
  const tolerance = fixture.tolerance.float32;

  describe(`PyTorch ${fixture.torch} parity, forward: ${family}`, () => {
    for (const testCase of fixture.cases) {
      it(testCase.name, () => {
        const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, false));
        const args = resolveArgs(testCase.args, inputs);
        if (testCase.expected.kind === 'error') {
          const error = thrownBy(() => runCase(strata, testCase, args));
          const name = error instanceof Error ? error.name : String(error);
          expect(name, `PyTorch raised "${testCase.expected.value}"; Strata should throw one of ${STRATA_ERROR_NAMES.join(', ')}`).toBeOneOf(
            [...STRATA_ERROR_NAMES],
          );
          return;
        }
        const { result, target } = runCase(strata, testCase, args);
        if (target !== null) expect(result, 'an in-place op returns the tensor it wrote').toBe(target);
        expectOutputMatches(result, testCase.expected, tolerance, testCase.name);
        testCase.inputs.forEach((spec, i) => {
          expectTensorMatches(inputs[i]!.leaf, { ...spec }, { rtol: 0, atol: 0 }, `input ${i} must be left unchanged`);
        });
      });
    }
  });

  const ops = [...new Set(fixture.cases.map((testCase) => testCase.op))];
  describe(`PyTorch ${fixture.torch} parity, method form: ${family}`, () => {
    for (const op of ops) {
      const testCase = methodFormCase(fixture.cases, op);
      if (testCase === null) continue;
      it(`x.${op}(...) as ${testCase.name}`, () => {
        const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, false));
        const { result } = runCase(strata, testCase, resolveArgs(testCase.args, inputs), 'method');
        expectOutputMatches(result, testCase.expected, tolerance, testCase.name);
      });
    }
  });
}
