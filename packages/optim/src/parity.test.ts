/**
 * PyTorch parity of the optimizers, the schedulers and gradient clipping,
 * against `__fixtures__/optim.json` (written by tooling/parity/cases_optim.py
 * with PyTorch 1.13).
 */
import '@strata/autograd';
import { Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { tensorMismatches } from '../../../tooling/parity/ts/compare.js';
import { decodeNumber } from '../../../tooling/parity/ts/fixtures.js';
import { clipGradNorm, clipGradValue } from './clip-grad.js';
import type { OptimizerStateDict } from './optimizer.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import {
  type ClipCase,
  type EncodedStateDict,
  type OptimizerCase,
  type SchedulerCase,
  buildTensor,
  createScheduler,
  decodeStateDict,
  groupMomentums,
  isEncodedTensor,
  loadOptimFixture,
  optimizerFor,
  runSteps,
  schedulerOptimizer,
} from './parity-support.js';

const fixture = loadOptimFixture();
const tolerance = fixture.tolerance.float32;
// The updates are elementwise, so Strata lands within a few float32 roundings of PyTorch (about 4e-7 on these O(1)
// parameters): parameters and state are held to a tenth of the op fixtures' tolerance, which catches formula
// slips that the looser one would let through (a wrong NAdam momentum product differs by ~1e-5 at lr 2e-3).
const updateTolerance = { rtol: tolerance.rtol / 10, atol: tolerance.atol / 10 };
const optimizerCases = fixture.cases.filter((c): c is OptimizerCase => c.kind === 'optimizer');
const schedulerCases = fixture.cases.filter((c): c is SchedulerCase => c.kind === 'scheduler');
const clipCases = fixture.cases.filter((c): c is ClipCase => c.kind === 'clipGradNorm' || c.kind === 'clipGradValue');

function closeNumber(actual: number, expected: number, relative = tolerance.rtol, absolute = tolerance.atol): boolean {
  return Math.abs(actual - expected) <= absolute + relative * Math.abs(expected);
}

/** The differences between Strata's state dict and PyTorch's, as readable lines. */
function stateDictMismatches(actual: OptimizerStateDict, expected: EncodedStateDict): string[] {
  const problems: string[] = [];
  if (actual.paramGroups.length !== expected.paramGroups.length) return [`${actual.paramGroups.length} groups, expected ${expected.paramGroups.length}`];
  expected.paramGroups.forEach((want, index) => {
    const got = actual.paramGroups[index]!;
    const gotKeys = Object.keys(got).sort().join(', ');
    const wantKeys = Object.keys(want).sort().join(', ');
    if (gotKeys !== wantKeys) problems.push(`group ${index}: keys ${gotKeys}, expected ${wantKeys}`);
    for (const key of Object.keys(want)) {
      if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
        problems.push(`group ${index}: ${key} = ${JSON.stringify(got[key])}, expected ${JSON.stringify(want[key])}`);
      }
    }
  });
  const gotIndices = Object.keys(actual.state).join(', ');
  const wantIndices = Object.keys(expected.state).join(', ');
  if (gotIndices !== wantIndices) problems.push(`state for parameters ${gotIndices}, expected ${wantIndices}`);
  for (const [index, want] of Object.entries(expected.state)) {
    const got = actual.state[Number(index)] ?? {};
    const gotKeys = Object.keys(got).join(', ');
    const wantKeys = Object.keys(want).join(', ');
    if (gotKeys !== wantKeys) problems.push(`state ${index}: keys ${gotKeys}, expected ${wantKeys} (in this order)`);
    for (const [key, value] of Object.entries(want)) {
      const actualValue = got[key];
      if (isEncodedTensor(value)) {
        if (!(actualValue instanceof Tensor)) problems.push(`state ${index}.${key}: expected a tensor`);
        else problems.push(...tensorMismatches(actualValue, value, updateTolerance).map((line) => `state ${index}.${key}: ${line}`));
      } else if (typeof value === 'number') {
        if (typeof actualValue !== 'number' || !closeNumber(actualValue, value)) problems.push(`state ${index}.${key} = ${String(actualValue)}, expected ${value}`);
      } else if (actualValue !== null) {
        problems.push(`state ${index}.${key}: expected null`);
      }
    }
  }
  return problems;
}

describe('optimizers match PyTorch', () => {
  it('the fixture has every optimizer', () => {
    const names = new Set(optimizerCases.map((c) => c.optimizer));
    expect([...names].sort()).toEqual(['Adadelta', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop', 'SGD']);
  });

  for (const testCase of optimizerCases) {
    it(testCase.name, () => {
      const params = testCase.params.map((p) => buildTensor(p, true));
      const optimizer = optimizerFor(testCase, params);
      runSteps(testCase, optimizer, params, 0, testCase.expected.length, (step, loss) => {
        testCase.expected[step]!.forEach((want, index) => {
          expect(tensorMismatches(params[index], want, updateTolerance), `parameter ${index} after step ${step + 1}`).toEqual([]);
        });
        if (loss !== null) expect(closeNumber(loss, testCase.losses![step]!), `loss of step ${step + 1}: ${loss} vs ${testCase.losses![step]}`).toBe(true);
      });
      expect(stateDictMismatches(optimizer.stateDict(), testCase.stateDict)).toEqual([]);
    });

    it(`${testCase.name} resumes from PyTorch's state dict after step ${testCase.resumeAt}`, () => {
      const params = testCase.expected[testCase.resumeAt - 1]!.map((p) => buildTensor(p, true));
      const optimizer = optimizerFor(testCase, params);
      optimizer.loadStateDict(decodeStateDict(testCase.resumeState));
      expect(stateDictMismatches(optimizer.stateDict(), testCase.resumeState)).toEqual([]);
      const remaining = testCase.expected.length - testCase.resumeAt;
      runSteps(testCase, optimizer, params, testCase.resumeAt, remaining, (step) => {
        testCase.expected[step]!.forEach((want, index) => {
          expect(tensorMismatches(params[index], want, updateTolerance), `parameter ${index} after step ${step + 1}`).toEqual([]);
        });
      });
    });
  }
});

describe('schedulers match PyTorch', () => {
  const close = (actual: readonly (number | null)[], expected: readonly (number | null)[]): boolean =>
    actual.length === expected.length &&
    actual.every((value, index) => {
      const want = expected[index]!;
      return value === want || (value !== null && want !== null && closeNumber(value, want, 1e-12, 1e-15));
    });

  for (const testCase of schedulerCases) {
    it(testCase.name, () => {
      const optimizer = schedulerOptimizer(testCase);
      const scheduler = createScheduler(optimizer, testCase);
      const check = (point: number): void => {
        const lrs = optimizer.paramGroups.map((group) => group.lr);
        expect(close(lrs, testCase.lrs[point]!), `lr after ${point} steps: ${lrs} vs ${testCase.lrs[point]}`).toBe(true);
        expect(close(scheduler.getLastLr(), testCase.lrs[point]!), `getLastLr() after ${point} steps`).toBe(true);
        const momentums = groupMomentums(optimizer);
        expect(close(momentums, testCase.momentums[point]!), `momentum after ${point} steps: ${momentums} vs ${testCase.momentums[point]}`).toBe(true);
      };
      check(0);
      for (let step = 0; step < testCase.steps; step++) {
        optimizer.step();
        if (scheduler instanceof ReduceLROnPlateau) scheduler.step(testCase.metrics![step]);
        else scheduler.step();
        check(step + 1);
      }
    });
  }
});

describe('gradient clipping matches PyTorch', () => {
  for (const testCase of clipCases) {
    it(testCase.name, () => {
      const params = testCase.grads.map((grad) => {
        const parameter = buildTensor(grad ?? { dtype: 'float32', shape: [1], data: [0] }, true);
        parameter.grad = grad === null ? null : buildTensor(grad);
        return parameter;
      });
      const args = testCase.arguments;
      if (testCase.kind === 'clipGradNorm') {
        const norm = clipGradNorm(params, decodeNumber(args.maxNorm!), decodeNumber(args.normType!));
        expect(tensorMismatches(norm, testCase.expected.totalNorm!, tolerance), 'total norm').toEqual([]);
      } else {
        clipGradValue(params, decodeNumber(args.clipValue!));
      }
      testCase.expected.grads.forEach((want, index) => {
        if (want === null) expect(params[index]!.grad).toBeNull();
        else expect(tensorMismatches(params[index]!.grad, want, tolerance), `gradient ${index}`).toEqual([]);
      });
    });
  }
});
