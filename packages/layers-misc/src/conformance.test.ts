import { tensor } from '@strata/tensor';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of the embedding backward kernels for `@strata/tensor/testing`:
// the fused CPU loops against their defaults composed of forward ops.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;
type Source = Parameters<ArgumentDraw>[0];

/** Random bags: 1-D int32 indices into `numWeights` rows, and bounds [B + 1] (some bags empty). */
function drawBags(source: Source, numWeights: number): { indices: number[]; bounds: number[] } {
  const count = source.integer(0, 9);
  const indices = Array.from({ length: count }, () => source.integer(0, numWeights));
  const cuts = Array.from({ length: source.integer(1, 4) }, () => source.integer(0, count + 1)).sort((a, b) => a - b);
  return { indices, bounds: [0, ...cuts, count] };
}

const extraCases: Record<string, ArgumentDraw> = {
  embeddingBackward: (source, round) => {
    const numWeights = source.integer(1, 7);
    const indexShape = source.shape(1 + (round % 2), 4);
    const dim = source.integer(1, 5);
    const paddingIdx = round % 3 === 0 ? -1 : source.integer(0, numWeights);
    const gradOutput = source.tensor([...indexShape, dim], FLOATS[round % 2]!, layouts[round % 4]!);
    return [gradOutput, source.indices(indexShape, numWeights), numWeights, paddingIdx, round % 4 >= 2];
  },
  embeddingBagBackward: (source, round) => {
    const numWeights = source.integer(1, 7);
    const dim = source.integer(1, 5);
    const dtype = FLOATS[round % 2]!;
    const mode = (['sum', 'mean', 'max'] as const)[round % 3]!;
    const paddingIdx = round % 4 === 1 ? -1 : source.integer(0, numWeights);
    const { indices, bounds } = drawBags(source, numWeights);
    const bags = bounds.length - 1;
    const bagSizes = Array.from({ length: bags }, (_, bag) => indices.slice(bounds[bag], bounds[bag + 1]).filter((row) => row !== paddingIdx).length);
    // For max: each value's source row, −1 for an empty bag.
    const maxIndices = mode !== 'max' ? null : tensor(
      Array.from({ length: bags }, (_, bag) => Array.from({ length: dim }, () => bagSizes[bag] === 0 ? -1 : source.integer(0, numWeights))),
      { dtype: 'int32' },
    );
    const perSampleWeights = mode === 'sum' && round % 2 === 0 ? source.tensor([indices.length], dtype) : null;
    return [
      source.tensor([bags, dim], dtype, layouts[round % 4]!), tensor(indices, { dtype: 'int32' }), tensor(bounds, { dtype: 'int32' }), mode,
      perSampleWeights, tensor(bagSizes, { dtype: 'int32' }), maxIndices, numWeights, paddingIdx, mode !== 'max' && round % 4 >= 2,
    ];
  },
  embeddingBagSampleWeightsBackward: (source, round) => {
    const numWeights = source.integer(1, 7);
    const dim = source.integer(1, 5);
    const dtype = FLOATS[round % 2]!;
    const { indices, bounds } = drawBags(source, numWeights);
    const paddingIdx = round % 3 === 0 ? -1 : source.integer(0, numWeights);
    return [
      source.tensor([bounds.length - 1, dim], dtype, layouts[round % 4]!), source.tensor([numWeights, dim], dtype, layouts[(round + 1) % 4]!),
      tensor(indices, { dtype: 'int32' }), tensor(bounds, { dtype: 'int32' }), paddingIdx,
    ];
  },
};

describe('layers-misc embedding backward kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all three, against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(['embeddingBackward', 'embeddingBagBackward', 'embeddingBagSampleWeightsBackward']);
  });
  for (const check of cases) it(check.name, () => check.run());
});
