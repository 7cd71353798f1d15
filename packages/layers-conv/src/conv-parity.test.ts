/**
 * Parity with PyTorch 1.13 on the fixtures that `tooling/parity/cases_conv.py`
 * and `cases_conv_transpose.py` write (`pnpm parity`): for every case the
 * forward result (without gradients), then the gradients of input, weight
 * and bias from PyTorch's seeded upstream gradient (rtol 1e-4, atol 1e-5);
 * the calls PyTorch rejects must throw one of Strata's error classes; and
 * each layer's printout and state-dict keys must be PyTorch's.
 */
import { readFileSync } from 'node:fs';
import '@strata/autograd';
import * as strata from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { ParityCase, ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import { STRATA_ERROR_NAMES, buildInput, buildTensor, floatOutputs, resolveArgs, runCase, thrownBy } from '../../../tooling/parity/ts/harness.js';
import * as conv from './index.js';

const api = { ...strata, ...conv };

function loadFixture(name: string): ParityFixture {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}.json`, import.meta.url), 'utf8')) as ParityFixture;
}

type LayerClass = new (inChannels: number, outChannels: number, kernelSize: number | number[], options?: object) => strata.Tensor | object;

function buildLayer(args: unknown[]): { toString(): string; stateDict(): Record<string, strata.Tensor> } {
  const [className, inChannels, outChannels, kernelSize, options] = args as [keyof typeof conv, number, number, number | number[], object?];
  const Layer = conv[className] as unknown as LayerClass;
  return new Layer(inChannels, outChannels, kernelSize, options ?? {}) as ReturnType<typeof buildLayer>;
}

function checkLayerCase(testCase: ParityCase): void {
  const layer = buildLayer(testCase.args);
  const actual =
    testCase.op === 'moduleRepr'
      ? layer.toString()
      : JSON.stringify(Object.entries(layer.stateDict()).map(([key, value]) => [key, value.shape]));
  expectOutputMatches(actual, testCase.expected, { rtol: 0, atol: 0 }, testCase.name);
}

for (const family of ['conv', 'conv-transpose']) {
  const fixture = loadFixture(family);
  const tolerance = fixture.tolerance.float32;

  describe(`PyTorch ${fixture.torch} parity: ${family}`, () => {
    it('has cases for every op of the family', () => {
      const ops = new Set(fixture.cases.map((testCase) => testCase.op));
      const expected = family === 'conv' ? ['conv1d', 'conv2d', 'conv3d'] : ['convTranspose1d', 'convTranspose2d', 'convTranspose3d'];
      for (const op of [...expected, 'moduleRepr', 'moduleStateDict']) expect(ops.has(op), op).toBe(true);
    });

    for (const testCase of fixture.cases) {
      if (testCase.op === 'moduleRepr' || testCase.op === 'moduleStateDict') {
        it(testCase.name, () => checkLayerCase(testCase));
        continue;
      }
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

        const inputs = testCase.inputs.map((spec) => buildInput(strata, spec, true));
        const recorded = runCase(api, testCase, resolveArgs(testCase.args, inputs)).result;
        const [output] = floatOutputs(recorded);
        output!.backward(buildTensor(strata, testCase.upstream![0]!));
        testCase.grads!.forEach((expected, i) => {
          if (expected !== null) expectTensorMatches(inputs[i]!.leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
        });
      });
    }
  });
}
