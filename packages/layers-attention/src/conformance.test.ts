import { kernelOf } from '@strata/tensor/backend';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of this package's kernels for `@strata/tensor/testing`: the
// fused softmax kernels against their defaults composed of forward ops, the
// head moves against themselves on contiguous copies (every layout read right),
// the wasm fused attention against its composite default.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided', 'broadcast'] as const;

/** q [N, H, L, E], k [N, H, S, E], v [N, H, S, Ev] of one dtype, each in its own layout (small sizes, edge cases included). */
function attentionOperands(source: Parameters<ArgumentDraw>[0], round: number): [number[], number, number, number, number, (typeof FLOATS)[number]] {
  const leading = [source.integer(1, 3), source.integer(1, 3)];
  return [leading, source.integer(1, 9), source.integer(1, 9), source.integer(1, 6), source.integer(1, 6), FLOATS[round % 2]!];
}

const extraCases: Record<string, ArgumentDraw> = {
  fusedAttention: (source, round) => {
    const [leading, length, sourceLength, features, valueFeatures, dtype] = attentionOperands(source, round);
    const [q, k, v] = [[length, features], [sourceLength, features], [sourceLength, valueFeatures]].map((last, index) =>
      source.tensor([...leading, ...last], dtype, layouts[(round + index) % layouts.length]!));
    // No mask, an [L, S] mask, and that with a per-sample [N, 1, 1, S] one.
    const maskShapes = [[], [[length, sourceLength]], [[length, sourceLength], [leading[0]!, 1, 1, sourceLength]]][round % 3]!;
    // Dropout's noise every other call (any values: the kernels are linear in it).
    const noise = round % 2 === 0 ? null : source.tensor([...leading, length, sourceLength], dtype, layouts[round % layouts.length]!);
    return [q, k, v, 0.25 + source.integer(0, 8) / 4, maskShapes.map((shape) => source.tensor(shape, dtype, 'offset')), noise];
  },
  fusedAttentionBackward: (source, round) => {
    const [leading, length, sourceLength, features, valueFeatures, dtype] = attentionOperands(source, round);
    const [gradOutput, q, k, v, scores] = [[length, valueFeatures], [length, features], [sourceLength, features], [sourceLength, valueFeatures], [length, sourceLength]]
      .map((last, index) => source.tensor([...leading, ...last], dtype, layouts[(round + index) % layouts.length]!));
    const noise = round % 3 === 0 ? null : source.tensor([...leading, length, sourceLength], dtype, layouts[(round + 2) % layouts.length]!);
    return [gradOutput, q, k, v, scores!.softmax(-1), 0.125 * (1 + (round % 5)), noise];
  },
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
  it('checks the five CPU kernels, the softmax kernels against their composite defaults', () => {
    // The fused attention kernels have no CPU kernel of their own (the composite is it): the wasm suite checks them.
    const cpuKernels = Object.keys(extraCases).filter((kernel) => !kernel.startsWith('fusedAttention'));
    expect(cases.map((check) => check.kernel).sort()).toEqual(cpuKernels.sort());
    expect(kernelOf('attentionSoftmaxBackward', 'composite')).not.toBeNull();
    for (const fused of ['attentionSoftmaxBackward', 'scaledMaskedSoftmax', 'scaledMaskedSoftmaxBackward']) {
      expect(cases.find((check) => check.kernel === fused)!.name).toContain('against the reference');
    }
  });
  for (const check of cases) it(check.name, () => check.run());
});

describe('the wasm kernels in the conformance suite', () => {
  const wasmKernels = ['fusedAttention', 'fusedAttentionBackward', 'scaledMaskedSoftmax', 'scaledMaskedSoftmaxBackward', 'splitHeads', 'mergeHeads'];
  const cases = conformanceCases('wasm', { extraCases }).filter((entry) => wasmKernels.includes(entry.kernel));
  it('checks each of them against the CPU kernel below it', () => {
    expect([...new Set(cases.map((check) => check.kernel))].sort()).toEqual([...wasmKernels].sort());
  });
  for (const check of cases) it(check.name, () => check.run());
});
