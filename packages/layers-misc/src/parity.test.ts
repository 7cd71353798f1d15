/**
 * Parity with PyTorch for the functional ops and the layers of this package,
 * from the fixtures `tooling/parity/cases_misc.py` writes with PyTorch:
 *
 * - `misc-functional.json` (the format of `tooling/parity/README.md`): each
 *   op's result, the gradient of every float input's base, and PyTorch's
 *   errors thrown as `ShapeError`, `DTypeError` or `RangeError`.
 * - `misc-modules.json`: each layer built as PyTorch built it (its
 *   parameters loaded from PyTorch's), its printout and state-dict keys,
 *   `forward`'s result, the gradients of the inputs and of every parameter,
 *   and the parameters after the call (`maxNorm` renormalizes in place).
 */
import '@strata/autograd';
import type { Module } from '@strata/module';
import * as strata from '@strata/tensor';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches, isAllZero } from '../../../tooling/parity/ts/compare.js';
import { type EncodedTensor, type InputSpec, type ParityFixture, decodeNumber } from '../../../tooling/parity/ts/fixtures.js';
import {
  STRATA_ERROR_NAMES,
  buildInput,
  buildTensor,
  floatOutputs,
  resolveArgs,
  runCase,
  thrownBy,
} from '../../../tooling/parity/ts/harness.js';
import * as misc from './index.js';

/** One layer case of `misc-modules.json`. */
interface ModuleCase {
  name: string;
  layer: string;
  factory: 'fromPretrained' | null;
  args: unknown[];
  training: boolean;
  cloneInput: boolean;
  repr: string;
  stateDictKeys: string[];
  state: Record<string, EncodedTensor>;
  inputs: (InputSpec | null)[];
  expected: EncodedTensor;
  upstream?: EncodedTensor;
  inputGrads?: (EncodedTensor | null)[];
  parameterGrads?: Record<string, EncodedTensor | null>;
  parametersAfter: Record<string, EncodedTensor>;
}

function readFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${file}`, import.meta.url), 'utf8')) as T;
}

const api = { ...strata, ...misc };
const functional = readFixture<ParityFixture>('misc-functional.json');
const modules = readFixture<Omit<ParityFixture, 'cases'> & { cases: ModuleCase[] }>('misc-modules.json');
const tolerance = functional.tolerance.float32;

describe(`PyTorch ${functional.torch} parity: functional ops`, () => {
  for (const testCase of functional.cases) {
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
      if (testCase.grads === undefined) return;
      const outputs = floatOutputs(result);
      expect(outputs.length, 'float outputs to differentiate').toBe(testCase.upstream!.length);
      outputs.forEach((output, i) => output.backward(buildTensor(strata, testCase.upstream![i]!), { retainGraph: true }));
      testCase.grads.forEach((expected, i) => {
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

/** Constructor arguments with `{ $tensor }` and `{ $number }` decoded. */
function decodeArgs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeArgs);
  if (typeof value === 'object' && value !== null) {
    if ('$tensor' in value) return buildTensor(strata, value.$tensor as EncodedTensor);
    if ('$number' in value) return decodeNumber(value.$number as 'NaN' | 'Infinity' | '-Infinity');
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decodeArgs(item)]));
  }
  return value;
}

type LayerClass = (new (...args: unknown[]) => Module) & { fromPretrained?: (...args: unknown[]) => Module };

function buildLayer(testCase: ModuleCase): Module {
  const Layer = (misc as unknown as Record<string, LayerClass>)[testCase.layer];
  if (Layer === undefined) throw new Error(`@strata/layers-misc has no layer ${testCase.layer}`);
  const args = decodeArgs(testCase.args) as unknown[];
  return testCase.factory === 'fromPretrained' ? Layer.fromPretrained!(...args) : new Layer(...args);
}

describe(`PyTorch ${modules.torch} parity: layers`, () => {
  for (const testCase of modules.cases) {
    it(testCase.name, () => {
      const layer = buildLayer(testCase);
      expect(layer.toString(), 'toString() against repr()').toBe(testCase.repr);
      expect(Object.keys(layer.stateDict()), 'state-dict keys').toEqual(testCase.stateDictKeys);
      layer.loadStateDict(Object.fromEntries(Object.entries(testCase.state).map(([key, value]) => [key, buildTensor(strata, value)])) as Record<string, strata.Tensor>);
      layer.train(testCase.training);

      const differentiable = testCase.upstream !== undefined;
      const inputs = testCase.inputs.map((spec) => (spec === null ? null : buildInput(strata, spec, differentiable)));
      const args: (strata.Tensor | null)[] = inputs.map((input) => (input === null ? null : (input.value as strata.Tensor)));
      if (testCase.cloneInput) args[0] = args[0]!.clone();
      const output = layer.forward(...args) as strata.Tensor;
      expectTensorMatches(output, testCase.expected, tolerance, `${testCase.name}: forward`);
      if (testCase.cloneInput) expect(output, 'an in-place layer returns its input').toBe(args[0]);

      if (differentiable) {
        output.backward(buildTensor(strata, testCase.upstream!) as strata.Tensor);
        testCase.inputGrads!.forEach((expected, i) => {
          if (expected === null) return;
          expectTensorMatches(inputs[i]!.leaf.grad, expected, tolerance, `${testCase.name}: gradient of input ${i}`);
        });
        const parameters = Object.fromEntries(layer.namedParameters());
        for (const [key, expected] of Object.entries(testCase.parameterGrads!)) {
          const grad = parameters[key]!.grad;
          if (expected === null) {
            if (grad !== null) expect(isAllZero(grad), `${key} is unused in PyTorch`).toBe(true);
            continue;
          }
          expectTensorMatches(grad, expected, tolerance, `${testCase.name}: gradient of ${key}`);
        }
      }
      const parameters = Object.fromEntries(layer.namedParameters());
      for (const [key, expected] of Object.entries(testCase.parametersAfter)) {
        expectTensorMatches(parameters[key]!, expected, tolerance, `${testCase.name}: ${key} after forward`);
      }
    });
  }
});
