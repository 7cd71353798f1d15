/**
 * Pooling parity with PyTorch 1.13 on the fixtures `tooling/parity/cases_pooling.py`
 * writes (`pnpm parity`): for every case the forward result (values, and
 * int32 indices exactly), then the input gradients from PyTorch's seeded
 * upstream gradient (rtol 1e-4, atol 1e-5); the calls PyTorch rejects must
 * throw one of Strata's error classes; the layers print as PyTorch's.
 */
import { readFileSync } from 'node:fs';
import '@strata/autograd';
import * as strata from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import { STRATA_ERROR_NAMES, buildInput, buildTensor, floatOutputs, resolveArgs, runCase, thrownBy } from '../../../tooling/parity/ts/harness.js';
import * as layers from './index.js';

type Layer = { forward(...inputs: unknown[]): unknown; toString(): string };

function buildLayer(className: string, args: unknown[]): Layer {
  const LayerClass = (layers as unknown as Record<string, new (...args: unknown[]) => Layer>)[className];
  if (LayerClass === undefined) throw new Error(`no layer named ${className}`);
  return new LayerClass(...args);
}

const api = {
  ...strata,
  ...layers,
  moduleRepr: (className: string, ...args: unknown[]): string => buildLayer(className, args).toString(),
  moduleForward: (className: string, args: unknown[], ...inputs: unknown[]): unknown => buildLayer(className, args).forward(...inputs),
};

const FAMILIES: Record<string, readonly string[]> = {
  'pooling-max': ['maxPool1d', 'maxPool2d', 'maxPool3d', 'minPool1d', 'minPool2d', 'minPool3d'],
  'pooling-avg': ['avgPool1d', 'avgPool2d', 'avgPool3d'],
  'pooling-adaptive': [
    'adaptiveAvgPool1d', 'adaptiveAvgPool2d', 'adaptiveAvgPool3d', 'adaptiveMaxPool1d', 'adaptiveMaxPool2d', 'adaptiveMaxPool3d',
  ],
  'pooling-unpool': ['maxUnpool1d', 'maxUnpool2d', 'maxUnpool3d'],
  'pooling-lp': ['lpPool1d', 'lpPool2d'],
  'pooling-fold': ['unfold', 'fold'],
  'pooling-modules': ['moduleRepr', 'moduleForward'],
};

function loadFixture(name: string): ParityFixture {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8')) as ParityFixture;
}

for (const [family, ops] of Object.entries(FAMILIES)) {
  const fixture = loadFixture(family);
  const tolerance = fixture.tolerance.float32;

  describe(`PyTorch ${fixture.torch} parity: ${family}`, () => {
    it('has cases for every op of the family, and a rejected call for each op but the layers', () => {
      for (const op of ops) {
        const cases = fixture.cases.filter((testCase) => testCase.op === op);
        expect(cases.length, op).toBeGreaterThan(0);
      }
      if (family === 'pooling-modules') return;
      const rejected = new Set(fixture.cases.filter((testCase) => testCase.expected.kind === 'error').map((testCase) => testCase.op));
      for (const op of ops) expect(rejected.has(op), `a rejected call of ${op}`).toBe(true);
    });

    for (const testCase of fixture.cases) {
      if (testCase.expected.kind === 'error') {
        it(testCase.name, () => {
          const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, false));
          const error = thrownBy(() => runCase(api, testCase, resolveArgs(testCase.args, inputs)));
          expect(error, `PyTorch: ${testCase.expected.value}`).toBeInstanceOf(Error);
          expect(STRATA_ERROR_NAMES).toContain((error as Error).name);
        });
        continue;
      }
      it(testCase.name, () => {
        const plain = testCase.inputs.map((spec) => buildInput(strata, spec, false));
        const { result } = runCase(api, testCase, resolveArgs(testCase.args, plain));
        expectOutputMatches(result, testCase.expected, tolerance, `${testCase.name}: forward`);
        testCase.inputs.forEach((spec, i) => {
          expectTensorMatches(plain[i]!.leaf, { ...spec }, { rtol: 0, atol: 0 }, `input ${i} must be left unchanged`);
        });
        if (testCase.grads === undefined) return;

        const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, true));
        const recorded = runCase(api, testCase, resolveArgs(testCase.args, inputs)).result;
        const outputs = floatOutputs(recorded);
        expect(outputs.length, 'float outputs to differentiate').toBe(testCase.upstream!.length);
        outputs.forEach((output, i) => output.backward(buildTensor(strata, testCase.upstream![i]!)));
        testCase.grads.forEach((expected, i) => {
          if (expected !== null) expectTensorMatches(inputs[i]!.leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
        });
      });
    }
  });
}
