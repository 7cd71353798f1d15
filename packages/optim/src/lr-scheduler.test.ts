import { tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { LambdaLR } from './lambda-lr.js';
import { OneCycleLR } from './one-cycle-lr.js';
import type { Optimizer } from './optimizer.js';
import { type SchedulerCase, createScheduler, groupMomentums, loadOptimFixture, schedulerOptimizer } from './parity-support.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { SequentialLR } from './sequential-lr.js';
import { SGD } from './sgd.js';
import { ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR } from './step-schedulers.js';

const schedulerCases = loadOptimFixture().cases.filter((c): c is SchedulerCase => c.kind === 'scheduler');

function sgd(lr = 0.5, options: Record<string, unknown> = {}): Optimizer {
  return new SGD([tensor([1], { requiresGrad: true })], { lr, ...options });
}

function stepAll(testCase: SchedulerCase, optimizer: Optimizer, scheduler: ReturnType<typeof createScheduler>, from: number, to: number): number[][] {
  const trace: number[][] = [];
  for (let step = from; step < to; step++) {
    optimizer.step();
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(testCase.metrics![step]);
    else scheduler.step();
    trace.push([...scheduler.getLastLr(), ...groupMomentums(optimizer).map(Number)]);
  }
  return trace;
}

describe('scheduler stateDict / loadStateDict resume exactly', () => {
  for (const testCase of schedulerCases) {
    it(`${testCase.name}: saved after 12 steps, loaded with the optimizer's, bitwise`, () => {
      const optimizer = schedulerOptimizer(testCase);
      const scheduler = createScheduler(optimizer, testCase);
      const straight = stepAll(testCase, optimizer, scheduler, 0, testCase.steps);

      const first = schedulerOptimizer(testCase);
      const before = createScheduler(first, testCase);
      stepAll(testCase, first, before, 0, 12);
      const savedOptimizer = first.stateDict();
      const savedScheduler = JSON.parse(JSON.stringify(before.stateDict())) as Record<string, unknown>;

      const second = schedulerOptimizer(testCase);
      const after = createScheduler(second, testCase);
      second.loadStateDict(savedOptimizer);
      after.loadStateDict(savedScheduler);
      expect(stepAll(testCase, second, after, 12, testCase.steps)).toEqual(straight.slice(12));
    });
  }
});

describe('LRScheduler', () => {
  it("sets each group's initialLr on a fresh start and keeps one already there", () => {
    const optimizer = sgd(0.5);
    const scheduler = new StepLR(optimizer, 2, { gamma: 0.5 });
    expect(optimizer.paramGroups[0]!.initialLr).toBe(0.5);
    expect(scheduler.baseLrs).toEqual([0.5]);
    optimizer.paramGroups[0]!.lr = 0.25;
    new ExponentialLR(optimizer, 0.5);
    expect(optimizer.paramGroups[0]!.initialLr).toBe(0.5);
  });

  it('getLastLr returns a copy', () => {
    const scheduler = new ExponentialLR(sgd(0.5), 0.5);
    scheduler.getLastLr()[0] = 7;
    expect(scheduler.getLastLr()).toEqual([0.5]);
  });

  it('resumes at lastEpoch from the closed form (CosineAnnealingLR) when the groups have initialLr', () => {
    const optimizer = sgd(1);
    optimizer.paramGroups[0]!.initialLr = 1;
    const scheduler = new CosineAnnealingLR(optimizer, 4, { lastEpoch: 1 });
    expect(scheduler.lastEpoch).toBe(2);
    expect(scheduler.getLastLr()).toEqual([0.5]); // (1 + cos(π·2/4)) / 2
  });

  it('stepTo jumps to an epoch through the closed form', () => {
    const scheduler = new StepLR(sgd(1), 3, { gamma: 0.5 });
    scheduler.stepTo(7);
    expect(scheduler.getLastLr()).toEqual([0.25]); // 0.5^⌊7/3⌋
    const exponential = new ExponentialLR(sgd(1), 0.5);
    exponential.stepTo(3);
    expect(exponential.getLastLr()).toEqual([0.125]);
    expect(() => exponential.stepTo(1.5)).toThrow(RangeError);
  });

  it('rejects what is not an optimizer, and a resume without initialLr', () => {
    expect(() => new StepLR({} as Optimizer, 2)).toThrow(new TypeError('StepLR: object is not an Optimizer'));
    expect(() => new StepLR(sgd(), 2, { lastEpoch: 4 })).toThrow(
      new Error("StepLR: param 'initialLr' is not specified in paramGroups[0] when resuming an optimizer"),
    );
    expect(() => new StepLR(sgd(), 2, { lastEpoch: -2 })).toThrow(new RangeError('StepLR: expected lastEpoch to be an integer >= -1, got -2'));
  });

  const invalid: [string, (optimizer: Optimizer) => unknown, Error][] = [
    ['StepLR stepSize 0', (o) => new StepLR(o, 0), new RangeError('StepLR: expected a positive integer stepSize, got 0')],
    ['StepLR unknown option', (o) => new StepLR(o, 2, { step_size: 2 } as never), new RangeError("StepLR: unknown option 'step_size' (expected gamma, lastEpoch)")],
    ['MultiStepLR milestones', (o) => new MultiStepLR(o, [1.5]), new TypeError('MultiStepLR: expected milestones to be an array of integers, got [1.5]')],
    ['ExponentialLR gamma', (o) => new ExponentialLR(o, Number.NaN), new RangeError('ExponentialLR: invalid gamma: NaN (expected a number)')],
    ['CosineAnnealingLR tMax', (o) => new CosineAnnealingLR(o, 0), new RangeError('CosineAnnealingLR: expected tMax to be a positive number, got 0')],
    ['ConstantLR factor', (o) => new ConstantLR(o, { factor: 2 }), new RangeError('ConstantLR: invalid factor: 2 (expected 0 <= value <= 1)')],
    ['LinearLR startFactor 0', (o) => new LinearLR(o, { startFactor: 0 }), new RangeError('LinearLR: invalid startFactor: 0 (expected 0 < value <= 1)')],
    ['LinearLR endFactor', (o) => new LinearLR(o, { endFactor: 1.5 }), new RangeError('LinearLR: invalid endFactor: 1.5 (expected 0 <= value <= 1)')],
    ['PolynomialLR totalIters', (o) => new PolynomialLR(o, { totalIters: -1 }), new RangeError('PolynomialLR: expected a positive integer totalIters, got -1')],
    ['LambdaLR count', (o) => new LambdaLR(o, [() => 1, () => 1]), new RangeError('LambdaLR: expected 1 lrLambdas, but got 2')],
    ['LambdaLR function', (o) => new LambdaLR(o, 3 as never), new TypeError('LambdaLR: expected lrLambda to be a function or an array of functions, got 3')],
    ['OneCycleLR steps', (o) => new OneCycleLR(o, 1), new RangeError('OneCycleLR: you must define either totalSteps OR (epochs AND stepsPerEpoch)')],
    ['OneCycleLR totalSteps', (o) => new OneCycleLR(o, 1, { totalSteps: 2.5 }), new RangeError('OneCycleLR: expected a positive integer totalSteps, got 2.5')],
    ['OneCycleLR pctStart', (o) => new OneCycleLR(o, 1, { totalSteps: 10, pctStart: 1.5 }), new RangeError('OneCycleLR: invalid pctStart: 1.5 (expected 0 <= value <= 1)')],
    ['OneCycleLR annealStrategy', (o) => new OneCycleLR(o, 1, { totalSteps: 10, annealStrategy: 'exp' as never }),
      new TypeError("OneCycleLR: invalid annealStrategy: 'exp' (expected one of 'cos', 'linear')")],
    ['OneCycleLR maxLr list', (o) => new OneCycleLR(o, [1, 2], { totalSteps: 10 }), new RangeError('OneCycleLR: expected 1 values for maxLr, got 2')],
    ['ReduceLROnPlateau factor', (o) => new ReduceLROnPlateau(o, { factor: 1 }), new RangeError('ReduceLROnPlateau: invalid factor: 1 (expected 0 <= value < 1)')],
    ['ReduceLROnPlateau mode', (o) => new ReduceLROnPlateau(o, { mode: 'least' as never }), new TypeError("ReduceLROnPlateau: invalid mode: 'least' (expected one of 'min', 'max')")],
    ['ReduceLROnPlateau thresholdMode', (o) => new ReduceLROnPlateau(o, { thresholdMode: 'x' as never }), TypeError as never],
    ['ReduceLROnPlateau minLr list', (o) => new ReduceLROnPlateau(o, { minLr: [0, 0] }), new RangeError('ReduceLROnPlateau: expected 1 minLrs, got 2')],
    ['ReduceLROnPlateau patience', (o) => new ReduceLROnPlateau(o, { patience: -1 }), new RangeError('ReduceLROnPlateau: expected patience to be an integer >= 0, got -1')],
    ['SequentialLR milestones', (o) => new SequentialLR(o, [new ExponentialLR(o, 0.5), new ExponentialLR(o, 0.5)], []),
      new Error('SequentialLR: expects the number of schedulers provided to be one more than the number of milestone points, but got 2 schedulers and 0 milestones')],
    ['SequentialLR optimizer', (o) => new SequentialLR(o, [new ExponentialLR(sgd(), 0.5)], []),
      new Error('SequentialLR: expects all schedulers to belong to the same optimizer, but got the scheduler at index 0 to be different than the optimizer passed in')],
  ];
  for (const [label, create, error] of invalid) {
    it(`rejects ${label}`, () => {
      const optimizer = sgd(0.5, { momentum: 0.9 });
      expect(() => create(optimizer)).toThrow(error);
    });
  }

  it('leaves the groups untouched when a constructor throws', () => {
    const optimizer = sgd(0.5, { momentum: 0.9 });
    expect(() => new StepLR(optimizer, 0)).toThrow(RangeError);
    expect(() => new OneCycleLR(optimizer, 1, { totalSteps: 10, pctStart: 2 })).toThrow(RangeError);
    expect(optimizer.paramGroups[0]).toEqual({ ...optimizer.paramGroups[0], lr: 0.5, momentum: 0.9 });
    expect(optimizer.paramGroups[0]!.initialLr).toBeUndefined();
    expect(optimizer.paramGroups[0]!.maxLr).toBeUndefined();
  });

  it('loadStateDict rejects an unknown key and changes nothing', () => {
    const scheduler = new StepLR(sgd(), 2);
    const before = scheduler.stateDict();
    expect(() => scheduler.loadStateDict({ ...before, step_size: 3 })).toThrow("StepLR: loadStateDict: unexpected key 'step_size'");
    expect(() => scheduler.loadStateDict(7 as never)).toThrow(TypeError);
    expect(scheduler.stateDict()).toEqual(before);
  });

  it("stateDict leaves out the optimizer and LambdaLR's functions", () => {
    const state = new LambdaLR(sgd(), () => 1).stateDict();
    expect(Object.keys(state).sort()).toEqual(['baseLrs', 'lastEpoch', 'lastLr', 'stepCount']);
  });
});

describe('OneCycleLR', () => {
  it('throws past totalSteps and changes nothing', () => {
    const optimizer = sgd(0.1, { momentum: 0.9 });
    const scheduler = new OneCycleLR(optimizer, 1, { totalSteps: 3 });
    for (let i = 0; i < 3; i++) scheduler.step();
    const lr = optimizer.paramGroups[0]!.lr;
    expect(() => scheduler.step()).toThrow(new RangeError('OneCycleLR: tried to step 5 times; the specified number of total steps is 3'));
    expect(optimizer.paramGroups[0]!.lr).toBe(lr);
    expect(scheduler.lastEpoch).toBe(3);
  });

  it('needs an optimizer with momentum or betas to cycle momentum', () => {
    const optimizer = new Adagrad([tensor([1], { requiresGrad: true })]);
    expect(() => new OneCycleLR(optimizer, 1, { totalSteps: 10 })).toThrow(
      'OneCycleLR: optimizer must support momentum (momentum or betas) with the cycleMomentum option enabled',
    );
    expect(() => new OneCycleLR(optimizer, 1, { totalSteps: 10, cycleMomentum: false })).not.toThrow();
  });

  it("cycles Adam's betas[0] and keeps betas[1]", () => {
    const optimizer = new Adam([tensor([1], { requiresGrad: true })], { betas: [0.9, 0.99] });
    new OneCycleLR(optimizer, 1, { totalSteps: 10 });
    expect(optimizer.paramGroups[0]!.betas).toEqual([0.95, 0.99]);
  });
});

describe('ReduceLROnPlateau', () => {
  it('takes a one-element tensor metric, and needs one', () => {
    const optimizer = sgd(1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 });
    scheduler.step(tensor(1));
    scheduler.step(tensor([2]));
    expect(scheduler.getLastLr()).toEqual([0.5]);
    expect(() => scheduler.step()).toThrow(TypeError);
  });

  it("survives JSON: a null best (JSON's Infinity) restarts from the mode's worst", () => {
    const optimizer = sgd(1);
    const scheduler = new ReduceLROnPlateau(optimizer, { mode: 'max' });
    const state = JSON.parse(JSON.stringify(scheduler.stateDict())) as Record<string, unknown>;
    expect(state.best).toBeNull();
    const copy = new ReduceLROnPlateau(sgd(1), { mode: 'max' });
    copy.loadStateDict(state);
    expect(copy.best).toBe(Number.NEGATIVE_INFINITY);
    expect(copy.modeWorse).toBe(Number.NEGATIVE_INFINITY);
  });
});
