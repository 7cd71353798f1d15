/**
 * Parity with PyTorch 1.13 on the fixture `tooling/parity/cases_losses.py`
 * writes (`pnpm parity`): for every case the forward result, then the
 * gradients of the input and of each float target PyTorch differentiates,
 * from PyTorch's seeded upstream gradient (rtol 1e-4, atol 1e-5) — through
 * the functional op and through the loss module built from the same
 * options. The calls PyTorch rejects must throw one of Strata's error
 * classes in both forms; each module's printout and state-dict keys must be
 * PyTorch's.
 */
import { readFileSync } from 'node:fs';
import '@strata/autograd';
import * as strata from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { expectOutputMatches, expectTensorMatches } from '../../../tooling/parity/ts/compare.js';
import type { ParityCase, ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import {
  type BuiltInput,
  STRATA_ERROR_NAMES,
  buildInput,
  buildTensor,
  floatOutputs,
  resolveArgs,
  runCase,
  thrownBy,
} from '../../../tooling/parity/ts/harness.js';
import * as losses from './index.js';

const api = { ...strata, ...losses };
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/losses.json', import.meta.url), 'utf8')) as ParityFixture;
const tolerance = fixture.tolerance.float32;

type LossClass = new (options?: never) => losses.Loss;

/** The module of each functional op. */
const MODULES: Record<string, LossClass> = {
  mseLoss: losses.MSELoss,
  l1Loss: losses.L1Loss,
  smoothL1Loss: losses.SmoothL1Loss,
  huberLoss: losses.HuberLoss,
  crossEntropy: losses.CrossEntropyLoss,
  nllLoss: losses.NLLLoss,
  binaryCrossEntropy: losses.BCELoss,
  binaryCrossEntropyWithLogits: losses.BCEWithLogitsLoss,
  klDiv: losses.KLDivLoss,
  cosineEmbeddingLoss: losses.CosineEmbeddingLoss,
  marginRankingLoss: losses.MarginRankingLoss,
  tripletMarginLoss: losses.TripletMarginLoss,
};

const CLASSES: Record<string, LossClass> = Object.fromEntries(Object.values(MODULES).map((Class) => [Class.name, Class]));

function isTensor(value: unknown): value is strata.Tensor {
  return value instanceof strata.Tensor;
}

/** Runs a case through its module: the tensors go to `forward`, a trailing options object to the constructor. */
function runModule(testCase: ParityCase, args: unknown[]): unknown {
  const Class = MODULES[testCase.op]!;
  const last = args[args.length - 1];
  const options = last === undefined || isTensor(last) ? undefined : last;
  const tensors = args.filter(isTensor);
  return new Class(options as never).forward(...tensors);
}

/**
 * Builds the inputs: those PyTorch differentiates require grad (PyTorch
 * refuses weights that do; a detached target stands for a gradient Strata
 * computes differently, checked in the unit tests).
 */
function buildInputs(testCase: ParityCase, withGrad: boolean): BuiltInput[] {
  return testCase.inputs.map((spec, i) => buildInput(strata, spec, withGrad && (testCase.grads?.[i] ?? null) !== null));
}

function checkForwardAndGradients(testCase: ParityCase, form: 'function' | 'module'): void {
  const run = (args: unknown[]): unknown => (form === 'function' ? runCase(api, testCase, args).result : runModule(testCase, args));
  const plain = buildInputs(testCase, false);
  expectOutputMatches(run(resolveArgs(testCase.args, plain)), testCase.expected, tolerance, `${testCase.name} (${form}): forward`);
  if (testCase.grads === undefined) return;
  const inputs = buildInputs(testCase, true);
  const [output] = floatOutputs(run(resolveArgs(testCase.args, inputs)));
  output!.backward(buildTensor(strata, testCase.upstream![0]!));
  testCase.grads.forEach((expected, i) => {
    if (expected !== null) expectTensorMatches(inputs[i]!.leaf.grad, expected, tolerance, `${testCase.name} (${form}): gradient of input ${i}`);
  });
}

function checkModuleCase(testCase: ParityCase): void {
  const [className, options] = resolveArgs(testCase.args, buildInputs(testCase, false)) as [string, object?];
  const module = new CLASSES[className]!(options as never);
  const actual =
    testCase.op === 'moduleRepr'
      ? module.toString()
      : JSON.stringify(Object.entries(module.stateDict()).map(([key, value]) => [key, value.shape]));
  expectOutputMatches(actual, testCase.expected, { rtol: 0, atol: 0 }, testCase.name);
}

describe(`PyTorch ${fixture.torch} parity: losses`, () => {
  it('has cases for every loss, module printouts and state dicts', () => {
    const ops = new Set(fixture.cases.map((testCase) => testCase.op));
    for (const op of [...Object.keys(MODULES), 'moduleRepr', 'moduleStateDict']) expect(ops.has(op), op).toBe(true);
    for (const className of Object.keys(CLASSES)) {
      expect(fixture.cases.some((testCase) => testCase.op === 'moduleRepr' && testCase.args[0] === className), className).toBe(true);
    }
  });

  for (const testCase of fixture.cases) {
    if (testCase.op === 'moduleRepr' || testCase.op === 'moduleStateDict') {
      it(testCase.name, () => checkModuleCase(testCase));
      continue;
    }
    if (testCase.expected.kind === 'error') {
      it(testCase.name, () => {
        for (const form of ['function', 'module'] as const) {
          const args = resolveArgs(testCase.args, buildInputs(testCase, false));
          const error = thrownBy(() => (form === 'function' ? runCase(api, testCase, args) : runModule(testCase, args)));
          expect(error, `${form}; PyTorch: ${testCase.expected.value}`).toBeInstanceOf(Error);
          expect(STRATA_ERROR_NAMES, `${form}: ${(error as Error).message}`).toContain((error as Error).name);
        }
      });
      continue;
    }
    it(testCase.name, () => {
      checkForwardAndGradients(testCase, 'function');
      checkForwardAndGradients(testCase, 'module');
    });
  }
});
