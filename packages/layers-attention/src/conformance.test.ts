import { kernelOf } from '@strata/tensor/backend';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of this package's kernels for `@strata/tensor/testing`: the
// fused softmax kernels against their defaults composed of forward ops, the
// head moves against themselves on contiguous copies (every layout read right).

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided', 'broadcast'] as const;

const extraCases: Record<string, ArgumentDraw> = {
  attentionSoftmaxBackward: (source, round) => {
    const shape = source.shape(1 + (round % 4), 6);
    const dtype = FLOATS[round % 2]!;
    // Any output checks the formula; a softmax's (rows summing to 1) is the usual one.
    const output = source.tensor(shape, dtype, layouts[(round + 1) % layouts.length]!);
    return [source.tensor(shape, dtype, layouts[round % layouts.length]!), round % 2 === 0 ? output.softmax(-1) : output];
  },
  splitHeads: (source, round) => {
    const [parts, heads] = [1 + (round % 3), source.integer(1, 4)];
    const width = parts * heads * source.integer(1, 4);
    return [source.tensor([source.integer(1, 4), source.integer(1, 5), width], FLOATS[round % 2]!, layouts[round % layouts.length]!), parts, heads];
  },
  mergeHeads: (source, round) => {
    // One to three parts of one shape, each in its own layout.
    const shape = source.shape(4, 4);
    const dtype = FLOATS[round % 2]!;
    return [Array.from({ length: 1 + (round % 3) }, (_, part) => source.tensor(shape, dtype, layouts[(round + part) % layouts.length]!))];
  },
  scaledMaskedSoftmax: (source, round) => {
    const dtype = FLOATS[round % 2]!;
    const shape = source.shape(2 + (round % 3), 6);
    const rank = shape.length;
    // No mask, a mask over the last two dims ([L, S], as attnMask) and a per-batch row mask ([N, 1, ..., S], as keyPaddingMask).
    const lastTwo = shape.slice(-2);
    const perBatch = shape.map((size, d) => (d === 0 || d === rank - 1 ? size : 1));
    const masks = [[], [lastTwo], [lastTwo, perBatch]][round % 3]!.map((maskShape) => source.tensor(maskShape, dtype, 'offset'));
    return [source.tensor(shape, dtype, layouts[round % layouts.length]!), 0.25 + source.integer(0, 8) / 4, masks];
  },
  scaledMaskedSoftmaxBackward: (source, round) => {
    const shape = source.shape(1 + (round % 4), 6);
    const dtype = FLOATS[round % 2]!;
    const output = source.tensor(shape, dtype, layouts[(round + 1) % layouts.length]!);
    return [source.tensor(shape, dtype, layouts[round % layouts.length]!), round % 2 === 0 ? output.softmax(-1) : output, 0.125 * (1 + (round % 5))];
  },
};

describe('layers-attention kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks all five, the softmax kernels against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual(Object.keys(extraCases).sort());
    expect(kernelOf('attentionSoftmaxBackward', 'composite')).not.toBeNull();
    for (const fused of ['attentionSoftmaxBackward', 'scaledMaskedSoftmax', 'scaledMaskedSoftmaxBackward']) {
      expect(cases.find((check) => check.kernel === fused)!.name).toContain('against the reference');
    }
  });
  for (const check of cases) it(check.name, () => check.run());
});

describe('the wasm kernels in the conformance suite', () => {
  const wasmKernels = ['scaledMaskedSoftmax', 'scaledMaskedSoftmaxBackward', 'splitHeads', 'mergeHeads'];
  const cases = conformanceCases('wasm', { extraCases }).filter((entry) => wasmKernels.includes(entry.kernel));
  it('checks each of them against the CPU kernel below it', () => {
    expect([...new Set(cases.map((check) => check.kernel))].sort()).toEqual([...wasmKernels].sort());
  });
  for (const check of cases) it(check.name, () => check.run());
});
