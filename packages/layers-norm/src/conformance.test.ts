import { kernelOf } from '@strata/tensor/backend';
import { type ArgumentDraw, type OperandSource, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of this package's kernels for `@strata/tensor/testing`: the
// fused CPU backward kernels are checked against their defaults composed of
// forward ops, the forward kernels against themselves on contiguous copies
// (every layout read right).

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;

/** A positive float64 tensor (statistics such as invstd). */
function positive(source: OperandSource, shape: readonly number[]): ReturnType<OperandSource['tensor']> {
  return source.tensor(shape, 'float64').abs().add(0.5);
}

function mask(round: number): [boolean, boolean, boolean] {
  return [round % 4 !== 3, round % 3 !== 2, round % 5 !== 4];
}

const channelsFirst = (source: OperandSource, round: number): { input: ReturnType<OperandSource['tensor']>; channels: number } => {
  const shape = [source.integer(2, 4), source.integer(1, 5), ...source.shape(round % 3, 4)];
  return { input: source.tensor(shape, FLOATS[round % 2]!, layouts[round % 4]!), channels: shape[1]! };
};

const extraCases: Record<string, ArgumentDraw> = {
  batchNorm: (source, round) => {
    const { input, channels } = channelsFirst(source, round);
    const useInputStats = round % 2 === 0;
    return [
      input, round % 3 === 0 ? null : source.tensor([channels], input.dtype), round % 3 === 1 ? null : source.tensor([channels], input.dtype),
      source.tensor([channels], input.dtype), positive(source, [channels]).to(input.dtype), useInputStats, 1e-5,
    ];
  },
  batchNormBackward: (source, round) => {
    const { input, channels } = channelsFirst(source, round);
    return [
      input, source.tensor(input.shape, input.dtype, layouts[(round + 1) % 4]!), source.tensor([channels], 'float64'), positive(source, [channels]),
      round % 3 === 0 ? null : source.tensor([channels], input.dtype), round % 2 === 0, mask(round),
    ];
  },
  layerNorm: (source, round) => {
    const input = source.tensor(source.shape(1 + (round % 3)), FLOATS[round % 2]!, layouts[round % 4]!);
    const length = input.shape[input.ndim - 1]!;
    return [input, round % 2 === 0 ? source.tensor([length], input.dtype) : null, round % 3 === 0 ? null : source.tensor([length], input.dtype), length, 1e-5];
  },
  layerNormBackward: (source, round) => {
    const input = source.tensor(source.shape(1 + (round % 3)), FLOATS[round % 2]!, layouts[round % 4]!);
    const length = input.shape[input.ndim - 1]!;
    const rows = input.numel() / length;
    return [
      input, source.tensor(input.shape, input.dtype), source.tensor([rows], 'float64'), positive(source, [rows]),
      round % 3 === 0 ? null : source.tensor([length], input.dtype), length, mask(round),
    ];
  },
  rmsNormBackward: (source, round) => {
    const input = source.tensor(source.shape(1 + (round % 3)), FLOATS[round % 2]!, layouts[round % 4]!);
    const length = input.shape[input.ndim - 1]!;
    return [
      input, source.tensor(input.shape, input.dtype), positive(source, [input.numel() / length]),
      round % 3 === 0 ? null : source.tensor([length], input.dtype), length, [round % 4 !== 3, round % 3 !== 2],
    ];
  },
  groupNormBackward: (source, round) => {
    const groups = source.integer(1, 3);
    const shape = [source.integer(1, 4), groups * source.integer(1, 3), ...source.shape(round % 3, 4)];
    const input = source.tensor(shape, FLOATS[round % 2]!, layouts[round % 4]!);
    return [
      input, source.tensor(shape, input.dtype), source.tensor([shape[0]!, groups], 'float64'), positive(source, [shape[0]!, groups]),
      round % 3 === 0 ? null : source.tensor([shape[1]!], input.dtype), groups, mask(round),
    ];
  },
  rmsNorm: (source, round) => {
    const input = source.tensor(source.shape(1 + (round % 3)), FLOATS[round % 2]!, layouts[round % 4]!);
    const length = input.shape[input.ndim - 1]!;
    return [input, round % 3 === 0 ? null : source.tensor([length], input.dtype, layouts[round % 2]!), length, round % 2 === 0 ? 1e-6 : 1e-5];
  },
  groupNorm: (source, round) => {
    const groups = source.integer(1, 3);
    const shape = [source.integer(1, 4), groups * source.integer(1, 3), ...source.shape(round % 3, 4)];
    const input = source.tensor(shape, FLOATS[round % 2]!, layouts[round % 4]!);
    const channels = shape[1]!;
    return [input, round % 3 === 0 ? null : source.tensor([channels], input.dtype), round % 3 === 1 ? null : source.tensor([channels], input.dtype), groups, 1e-5];
  },
  localResponseNorm: (source, round) => {
    const { input } = channelsFirst(source, round);
    return [input, { size: 1 + (round % 4), alpha: 0.3, beta: 0.75, k: 1 + (round % 2) }];
  },
  runningStatsUpdate: (source, round) => {
    const channels = source.integer(1, 6);
    // Batch norm passes per-channel statistics [C]; instance norm per-instance ones [N, C], averaged over N.
    const statsShape = round % 2 === 0 ? [channels] : [source.integer(1, 4), channels];
    const running = (salt: number) => (round + salt) % 4 === 3 ? null : source.tensor([channels], FLOATS[round % 2]!, layouts[(round + salt) % 4]!);
    return [
      running(0), running(1), source.tensor(statsShape, 'float64', layouts[round % 4]!), positive(source, statsShape),
      { momentum: round % 3 === 0 ? 0.1 : 0.01, eps: 1e-5, count: source.integer(2, 20) },
    ];
  },
  localResponseNormBackward: (source, round) => {
    const { input } = channelsFirst(source, round);
    return [input, source.tensor(input.shape, input.dtype), positive(source, input.shape), { size: 1 + (round % 4), alpha: 0.3, beta: 0.75, k: 1 }];
  },
};

describe('layers-norm kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases });
  it('checks every kernel above, the backward ones against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).filter((kernel) => kernel in extraCases).sort()).toEqual(Object.keys(extraCases).sort());
    expect(kernelOf('batchNormBackward', 'composite')).not.toBeNull();
  });
  for (const check of cases.filter((entry) => entry.kernel in extraCases)) it(check.name, () => check.run());
});

describe('the wasm batch-norm and layer-norm kernels in the conformance suite', () => {
  const wasmKernels = ['batchNorm', 'batchNormBackward', 'layerNorm', 'layerNormBackward'];
  const cases = conformanceCases('wasm', { extraCases }).filter((entry) => wasmKernels.includes(entry.kernel));
  it('checks each of them against the CPU kernel below it', () => {
    expect([...new Set(cases.map((check) => check.kernel))].sort()).toEqual([...wasmKernels].sort());
  });
  for (const check of cases) it(check.name, () => check.run());
});
