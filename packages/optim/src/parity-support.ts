/**
 * Test support (not exported by the package): the PyTorch fixture of
 * `tooling/parity/cases_optim.py` (its JSON types and loader) and builders
 * that turn its cases into Strata optimizers and schedulers.
 */
import { readFileSync } from 'node:fs';
import { Tensor, tensor } from '@strata/tensor';
import type { EncodedNumber, EncodedTensor } from '../../../tooling/parity/ts/fixtures.js';
import { typedArrayOf } from '../../../tooling/parity/ts/harness.js';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { CosineAnnealingLR } from './cosine-annealing-lr.js';
import { LambdaLR, type LRLambda, MultiplicativeLR } from './lambda-lr.js';
import type { LRScheduler } from './lr-scheduler.js';
import { NAdam } from './nadam.js';
import { OneCycleLR } from './one-cycle-lr.js';
import type { Optimizer, OptimizerStateDict } from './optimizer.js';
import type { ParamGroupState } from './optimizer.js';
import { RAdam } from './radam.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { RMSprop } from './rmsprop.js';
import { SequentialLR } from './sequential-lr.js';
import { SGD } from './sgd.js';
import type { OptimizerStateValue } from './state.js';
import { ConstantLR, ExponentialLR, LinearLR, MultiStepLR, PolynomialLR, StepLR } from './step-schedulers.js';

/** A state value as the fixture stores it: a tensor, a number or `null`. */
export type EncodedStateValue = EncodedTensor | number | null;

/** PyTorch's `state_dict()` in Strata's layout. */
export interface EncodedStateDict {
  state: Record<string, Record<string, EncodedStateValue>>;
  paramGroups: ParamGroupState[];
}

/** A parameter group of a case: parameter indices and the group's own options. */
export interface CaseGroup {
  params: number[];
  [option: string]: unknown;
}

/** An optimizer case: the parameters after each step of fixed gradients or of the quadratic closure. */
export interface OptimizerCase {
  name: string;
  kind: 'optimizer';
  optimizer: string;
  options: Record<string, unknown>;
  params: EncodedTensor[];
  groups: CaseGroup[] | null;
  gradients?: (EncodedTensor | null)[][];
  closure?: { targets: EncodedTensor[]; weights: EncodedTensor[] };
  losses?: number[];
  expected: EncodedTensor[][];
  resumeAt: number;
  resumeState: EncodedStateDict;
  stateDict: EncodedStateDict;
}

/** A scheduler's constructor call, as the fixture spells it. */
export interface SchedulerSpec {
  scheduler: string;
  args: unknown[];
  options: Record<string, unknown>;
  children?: SchedulerSpec[] | null;
}

/** A scheduler case: the groups' learning rates and momentums after construction and after each step. */
export interface SchedulerCase extends SchedulerSpec {
  name: string;
  kind: 'scheduler';
  optimizer: string;
  optimizerOptions: Record<string, unknown>;
  groupLrs: number[] | null;
  metrics: number[] | null;
  steps: number;
  lrs: number[][];
  momentums: (number | null)[][];
}

/** A gradient-clipping case. */
export interface ClipCase {
  name: string;
  kind: 'clipGradNorm' | 'clipGradValue';
  grads: (EncodedTensor | null)[];
  arguments: Record<string, EncodedNumber>;
  expected: { grads: (EncodedTensor | null)[]; totalNorm?: EncodedTensor };
}

/** The fixture file. */
export interface OptimFixture {
  torch: string;
  tolerance: { float32: { rtol: number; atol: number } };
  cases: (OptimizerCase | SchedulerCase | ClipCase)[];
}

/** Reads `src/__fixtures__/optim.json`. */
export function loadOptimFixture(): OptimFixture {
  return JSON.parse(readFileSync(new URL('./__fixtures__/optim.json', import.meta.url), 'utf8')) as OptimFixture;
}

/** A new contiguous tensor holding a fixture tensor. */
export function buildTensor(encoded: EncodedTensor, requiresGrad = false): Tensor {
  return tensor(typedArrayOf(encoded), { shape: encoded.shape, requiresGrad });
}

/** Constructs a Strata optimizer by name. */
export function createOptimizer(name: string, params: unknown, options: Record<string, unknown>): Optimizer {
  const input = params as Tensor[];
  switch (name) {
    case 'SGD':
      return new SGD(input, options);
    case 'Adam':
      return new Adam(input, options);
    case 'AdamW':
      return new AdamW(input, options);
    case 'RMSprop':
      return new RMSprop(input, options);
    case 'Adagrad':
      return new Adagrad(input, options);
    case 'Adadelta':
      return new Adadelta(input, options);
    case 'Adamax':
      return new Adamax(input, options);
    case 'NAdam':
      return new NAdam(input, options);
    case 'RAdam':
      return new RAdam(input, options);
    default:
      throw new Error(`no optimizer ${name}`);
  }
}

/** The case's optimizer over `params`, grouped as the case says. */
export function optimizerFor(testCase: OptimizerCase, params: Tensor[]): Optimizer {
  const input =
    testCase.groups === null
      ? params
      : testCase.groups.map((group) => ({ ...group, params: group.params.map((index) => params[index]!) }));
  return createOptimizer(testCase.optimizer, input, testCase.options);
}

/** The quadratic loss of closure cases: Σ sum(weight · (p − target)²). */
export function quadraticLoss(params: readonly Tensor[], targets: readonly Tensor[], weights: readonly Tensor[]): Tensor {
  return params
    .map((parameter, index) => parameter.sub(targets[index]!).square().mul(weights[index]!).sum())
    .reduce((total, term) => total.add(term));
}

/** A fixture state dict with its tensors built. */
export function decodeStateDict(encoded: EncodedStateDict): OptimizerStateDict {
  const state: Record<number, Record<string, OptimizerStateValue>> = {};
  for (const [index, entry] of Object.entries(encoded.state)) {
    const decoded: Record<string, OptimizerStateValue> = {};
    for (const [key, value] of Object.entries(entry)) {
      decoded[key] = value === null || typeof value === 'number' ? value : buildTensor(value);
    }
    state[Number(index)] = decoded;
  }
  return { state, paramGroups: encoded.paramGroups.map((group) => ({ ...group, params: [...group.params] })) };
}

/** The functions the fixture's `{"$lambda": name}` stand for (the same as cases_optim.py's). */
export const LAMBDAS: Record<string, LRLambda> = {
  pow095: (epoch) => 0.95 ** epoch,
  warmup10: (epoch) => Math.min(1, (epoch + 1) / 10),
  halveEvery7: (epoch) => 0.5 ** Math.floor(epoch / 7),
  constant095: () => 0.95,
  alternate: (epoch) => (epoch % 2 === 0 ? 0.9 : 1.05),
};

function resolveArgument(argument: unknown): unknown {
  if (Array.isArray(argument) && argument.length > 0 && typeof argument[0] === 'object') return argument.map(resolveArgument);
  if (typeof argument === 'object' && argument !== null && '$lambda' in argument) return LAMBDAS[String(argument.$lambda)];
  return argument;
}

/** Constructs a Strata scheduler by name from the fixture's positional arguments and options. */
export function createScheduler(optimizer: Optimizer, spec: SchedulerSpec): LRScheduler {
  const args = spec.args.map(resolveArgument) as never[];
  const options = spec.options as never;
  switch (spec.scheduler) {
    case 'StepLR':
      return new StepLR(optimizer, args[0]!, options);
    case 'MultiStepLR':
      return new MultiStepLR(optimizer, args[0]!, options);
    case 'ExponentialLR':
      return new ExponentialLR(optimizer, args[0]!, options);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(optimizer, args[0]!, options);
    case 'LinearLR':
      return new LinearLR(optimizer, options);
    case 'ConstantLR':
      return new ConstantLR(optimizer, options);
    case 'PolynomialLR':
      return new PolynomialLR(optimizer, options);
    case 'LambdaLR':
      return new LambdaLR(optimizer, args[0]!, options);
    case 'MultiplicativeLR':
      return new MultiplicativeLR(optimizer, args[0]!, options);
    case 'OneCycleLR':
      return new OneCycleLR(optimizer, args[0]!, options);
    case 'ReduceLROnPlateau':
      return new ReduceLROnPlateau(optimizer, options);
    case 'SequentialLR': {
      const children = (spec.children ?? []).map((child) => createScheduler(optimizer, child));
      return new SequentialLR(optimizer, children, args[0]!, options);
    }
    default:
      throw new Error(`no scheduler ${spec.scheduler}`);
  }
}

/** The scheduler case's optimizer (one group, or one group per `groupLrs` entry) over two small parameters. */
export function schedulerOptimizer(testCase: SchedulerCase): Optimizer {
  const params = [tensor([0, 0], { requiresGrad: true }), tensor([0, 0, 0], { requiresGrad: true })];
  const input = testCase.groupLrs === null ? params : params.map((parameter, index) => ({ params: [parameter], lr: testCase.groupLrs![index]! }));
  return createOptimizer(testCase.optimizer, input, testCase.optimizerOptions);
}

/** Each group's momentum: `betas[0]` for the Adam family, else `momentum` (or `null`). */
export function groupMomentums(optimizer: Optimizer): (number | null)[] {
  return optimizer.paramGroups.map((group) => {
    const betas: unknown = Reflect.get(group, 'betas');
    if (Array.isArray(betas)) return Number(betas[0]);
    const momentum: unknown = Reflect.get(group, 'momentum');
    return typeof momentum === 'number' ? momentum : null;
  });
}

/** Whether a state value is a fixture tensor. */
export function isEncodedTensor(value: unknown): value is EncodedTensor {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'data' in value;
}

/** Runs `count` steps of a case with its fixture gradients or its closure, from step `from`. */
export function runSteps(
  testCase: OptimizerCase,
  optimizer: Optimizer,
  params: Tensor[],
  from: number,
  count: number,
  onStep: (step: number, loss: number | null) => void = () => {},
): void {
  const targets = testCase.closure?.targets.map((t) => buildTensor(t)) ?? [];
  const weights = testCase.closure?.weights.map((w) => buildTensor(w)) ?? [];
  for (let step = from; step < from + count; step++) {
    if (testCase.closure !== undefined) {
      const loss = optimizer.step(() => {
        optimizer.zeroGrad({ setToNone: false });
        const value = quadraticLoss(params, targets, weights);
        value.backward();
        return value;
      });
      onStep(step, loss.item());
    } else {
      testCase.gradients![step]!.forEach((grad, index) => {
        params[index]!.grad = grad === null ? null : buildTensor(grad);
      });
      optimizer.step();
      onStep(step, null);
    }
  }
}

/** A tensor's exact elements as a plain array (for bitwise comparisons). */
export function elements(value: Tensor): number[] {
  return Array.from(value.toTypedArray());
}

