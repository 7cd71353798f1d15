import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of the max pooling and padding index kernels for `@strata/tensor/testing`:
// the fused CPU loops against their defaults composed of forward ops.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;

const extraCases: Record<string, ArgumentDraw> = {
  convolutionPadBackward: (source, round) => {
    const rank = 1 + (round % 3);
    const spatial = source.shape(rank, 5).map((size) => size + 1);
    const mode = (['reflect', 'replicate', 'circular'] as const)[round % 3]!;
    // reflect needs padding < size, circular padding <= size
    const before = spatial.map((size) => source.integer(0, size));
    const after = spatial.map((size) => source.integer(0, size));
    const padded = spatial.map((size, d) => size + before[d]! + after[d]!);
    return [source.tensor([source.integer(1, 3), source.integer(1, 3), ...padded], FLOATS[round % 2]!, layouts[round % 4]!), { before, after, mode }];
  },
  maxPoolBackward: (source, round) => {
    const rank = 1 + (round % 2);
    const lead = [source.integer(1, 3), source.integer(1, 4)];
    const plane = source.shape(rank, 6);
    const pooled = plane.map((size) => Math.max(1, Math.floor(size / 2)));
    const volume = plane.reduce((product, size) => product * size, 1);
    // A few indices outside the plane, as a window wholly in the padding has.
    const indices = source.indices([...lead, ...pooled], volume + 2).sub(1);
    return [source.tensor([...lead, ...pooled], FLOATS[round % 2]!, layouts[round % 4]!), indices, [...lead, ...plane], rank];
  },
  maxUnpoolBackward: (source, round) => {
    const rank = 1 + (round % 2);
    const lead = [source.integer(1, 3), source.integer(1, 4)];
    const plane = source.shape(rank, 6);
    const pooled = plane.map((size) => Math.max(1, Math.floor(size / 2)));
    const volume = plane.reduce((product, size) => product * size, 1);
    return [source.tensor([...lead, ...plane], FLOATS[round % 2]!, layouts[round % 4]!), source.indices([...lead, ...pooled], volume), rank];
  },
};

describe('layers-conv index kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all three, against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(['convolutionPadBackward', 'maxPoolBackward', 'maxUnpoolBackward']);
  });
  for (const check of cases) it(check.name, () => check.run());
});
