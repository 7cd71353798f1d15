import { Generator, tensor } from '@strata/tensor';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of every kernel of this package for `@strata/tensor/testing`:
// the fused CPU embedding backward loops against their defaults composed of
// forward ops, the others against themselves on contiguous copies (every
// layout read right; `embeddingRenorm` compared on the weight it rescales,
// `dropoutNoise` on its mask and on its generator's state afterwards).

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

const readLayouts = [...layouts, 'broadcast'] as const;

const extraCases: Record<string, ArgumentDraw> = {
  linear: (source, round) => {
    const dtype = FLOATS[round % 2]!;
    const [inFeatures, outFeatures] = [source.integer(1, 12), source.integer(1, 12)];
    const input = source.tensor([source.integer(1, 9), inFeatures], dtype, readLayouts[round % 5]!);
    const weight = source.tensor([outFeatures, inFeatures], dtype, readLayouts[(round + 2) % 5]!);
    return [input, weight, round % 3 === 2 ? null : source.tensor([outFeatures], dtype, layouts[round % 2]!)];
  },
  prelu: (source, round) => {
    const input = source.tensor([source.integer(1, 4), source.integer(1, 5), ...source.shape(round % 3, 4)], FLOATS[round % 2]!, readLayouts[round % 5]!);
    return [input, source.tensor([round % 2 === 0 ? 1 : input.shape[1]!], input.dtype, layouts[round % 2]!)];
  },
  dropoutNoise: (source, round) => [
    source.shape(1 + (round % 3), 6), FLOATS[round % 2]!, [0, 0.2, 0.5, 1][round % 4]!, round % 2 === 0 ? 1.25 : 1, round % 3 === 0 ? -1.7 : 0,
    new Generator(source.integer(0, 1000)),
  ],
  embedding: (source, round) => {
    const numWeights = source.integer(1, 7);
    const weight = source.tensor([numWeights, source.integer(1, 5)], FLOATS[round % 2]!, readLayouts[round % 5]!);
    return [weight, source.indices(source.shape(round % 3, 4), numWeights)];
  },
  embeddingRenorm: (source, round) => {
    const numWeights = source.integer(1, 7);
    const weight = source.tensor([numWeights, source.integer(1, 5)], FLOATS[round % 2]!, layouts[round % 4]!);
    return [weight, source.indices([source.integer(1, 8)], numWeights), [0.5, 1, 2][round % 3]!, [2, 1, 3][round % 3]!];
  },
  embeddingRowFactors: (source, round) => {
    const numWeights = source.integer(1, 7);
    return [source.indices(source.shape(round % 3, 4), numWeights), numWeights, round % 3 === 0 ? -1 : source.integer(0, numWeights), round % 2 === 1, FLOATS[round % 2]!];
  },
  embeddingBag: (source, round) => {
    const numWeights = source.integer(1, 7);
    const dtype = FLOATS[round % 2]!;
    const mode = (['sum', 'mean', 'max'] as const)[round % 3]!;
    const { indices, bounds } = drawBags(source, numWeights);
    const perSampleWeights = mode === 'sum' && round % 2 === 0 ? source.tensor([indices.length], dtype) : null;
    return [
      source.tensor([numWeights, source.integer(1, 5)], dtype, readLayouts[round % 5]!), tensor(indices, { dtype: 'int32' }),
      tensor(bounds, { dtype: 'int32' }), mode, perSampleWeights, round % 4 === 1 ? -1 : source.integer(0, numWeights),
    ];
  },
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

describe('layers-misc kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all ten, the three embedding backward kernels against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(Object.keys(extraCases).sort());
    expect(cases).toHaveLength(10);
    const againstComposite = cases.filter((check) => check.name.includes('against the reference')).map((check) => check.kernel);
    expect(againstComposite.sort()).toEqual(['embeddingBackward', 'embeddingBagBackward', 'embeddingBagSampleWeightsBackward']);
  });
  for (const check of cases) it(check.name, () => check.run());
});
