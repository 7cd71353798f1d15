import { type KernelName, kernelBackends, listKernels } from '@strata/tensor/backend';
import { type ArgumentDraw, type OperandSource, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';

// Random calls of the optimizers' update kernels for `@strata/tensor/testing`,
// each against itself on contiguous copies: the parameter and every state
// tensor it writes are compared afterwards, so a kernel that misreads a
// strided parameter or gradient, or writes the wrong elements, fails. The
// parameter and gradient come in every layout an optimizer can meet (a
// parameter may be a non-contiguous view); the state tensors are contiguous,
// as the optimizers create them, at an offset on odd rounds.

// The kernels registered before this package's (tensor's, autograd's, module's), to tell this package's apart.
const tensorKernels = new Set(listKernels());
await import('./index.js');

const FLOATS = ['float32', 'float64'] as const;
const writable = ['contiguous', 'offset', 'transposed', 'strided'] as const;
const readable = [...writable, 'broadcast'] as const;

/** One update call's parameter, gradient and state makers, in the dtype of `round`. */
function updateCall(source: OperandSource, round: number) {
  const shape = source.shape(1 + (round % 3), 6);
  const dtype = FLOATS[round % 2]!;
  const param = source.tensor(shape, dtype, writable[round % writable.length]!);
  const grad = source.tensor(shape, dtype, readable[(round + 1) % readable.length]!);
  /** A signed state tensor (a first moment, a momentum buffer). */
  const signed = () => source.tensor(shape, dtype, round % 2 === 1 ? 'offset' : 'contiguous');
  /** A non-negative state tensor (a second moment, a running sum of squares). */
  const positive = () => source.tensor(shape, dtype).abs();
  const flag = (salt: number) => source.integer(0, 2) === 1 || (round + salt) % 5 === 0;
  return { param, grad, signed, positive, flag };
}

const common = (round: number, decoupled: boolean) => {
  const weightDecay = round % 3 === 0 ? 0 : 0.01;
  return { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: decoupled ? 0 : weightDecay, decay: decoupled ? 1 - 1e-3 * weightDecay : 1, maximize: round % 4 === 3 };
};

const extraCases: Record<string, ArgumentDraw> = {
  sgdUpdate: (source, round) => {
    const { param, grad, signed, flag } = updateCall(source, round);
    const momentum = round % 3 === 0 ? 0 : 0.9;
    return [param, grad, momentum === 0 ? null : signed(), {
      lr: 0.1, momentum, dampening: round % 2 === 0 ? 0 : 0.1, weightDecay: round % 4 === 1 ? 0.01 : 0,
      nesterov: momentum > 0 && round % 5 !== 4, maximize: round % 4 === 3, initialize: flag(2),
    }];
  },
  adamUpdate: (source, round) => {
    const { param, grad, signed, positive } = updateCall(source, round);
    const step = 1 + source.integer(0, 20);
    return [param, grad, { expAvg: signed(), expAvgSq: positive(), maxExpAvgSq: round % 3 === 1 ? positive() : null }, {
      ...common(round, round % 2 === 1), stepSize: 1e-3 / (1 - 0.9 ** step), biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** step),
    }];
  },
  adamaxUpdate: (source, round) => {
    const { param, grad, signed, positive } = updateCall(source, round);
    const { beta1, beta2, eps, weightDecay, maximize } = common(round, false);
    return [param, grad, { expAvg: signed(), expInf: positive() }, { beta1, beta2, eps, weightDecay, maximize, clr: 2e-3 / (1 - 0.9 ** (1 + round)) }];
  },
  nadamUpdate: (source, round) => {
    const { param, grad, signed, positive } = updateCall(source, round);
    return [param, grad, { expAvg: signed(), expAvgSq: positive() }, {
      ...common(round, round % 2 === 1), biasCorrection2: 1 - 0.999 ** (1 + round), gradCoefficient: -1.3e-3, averageCoefficient: -0.9e-3,
    }];
  },
  radamUpdate: (source, round) => {
    const { param, grad, signed, positive } = updateCall(source, round);
    const step = 1 + round;
    return [param, grad, { expAvg: signed(), expAvgSq: positive() }, {
      ...common(round, round % 2 === 1), lr: 1e-3, biasCorrection1: 1 - 0.9 ** step, biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** step),
      rect: round % 3 === 0 ? 0 : 0.7,
    }];
  },
  rmspropUpdate: (source, round) => {
    const { param, grad, signed, positive } = updateCall(source, round);
    const momentum = round % 3 === 0 ? 0 : 0.9;
    const centered = round % 2 === 1;
    return [param, grad, {
      squareAvg: positive().add(1), gradAvg: centered ? signed().mul(0.1) : null, momentumBuffer: momentum === 0 ? null : signed(),
    }, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: round % 4 === 1 ? 0.01 : 0, momentum, maximize: round % 4 === 3 }];
  },
  adagradUpdate: (source, round) => {
    const { param, grad, positive } = updateCall(source, round);
    return [param, grad, { sum: positive() }, { clr: 0.01 / (1 + round * 0.001), eps: 1e-10, weightDecay: round % 3 === 1 ? 0.01 : 0, maximize: round % 4 === 3 }];
  },
  adadeltaUpdate: (source, round) => {
    const { param, grad, positive } = updateCall(source, round);
    return [param, grad, { squareAvg: positive(), accDelta: positive() }, {
      lr: 1, rho: 0.9, eps: 1e-6, weightDecay: round % 3 === 1 ? 0.01 : 0, maximize: round % 4 === 3,
    }];
  },
};

describe('optim update kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks every kernel the package registers', () => {
    const registered = listKernels().filter((kernel) => kernelBackends(kernel as KernelName).includes('cpu') && !tensorKernels.has(kernel));
    expect(cases.map((check) => check.kernel).sort()).toEqual(registered);
  });
  for (const check of cases) it(check.name, () => check.run());
});

describe('the wasm sgdUpdate kernel in the conformance suite', () => {
  const cases = conformanceCases('wasm', { extraCases }).filter((check) => check.kernel === 'sgdUpdate');
  it('draws it', () => expect(cases.map((check) => check.kernel)).toEqual(['sgdUpdate']));
  for (const check of cases) it(check.name, () => check.run());
});
