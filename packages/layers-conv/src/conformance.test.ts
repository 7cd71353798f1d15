import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import './index.js';

// Random calls of the pooling and padding backward kernels for `@strata/tensor/testing`:
// the fused CPU loops against their defaults composed of forward ops.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;

/**
 * A random pooling window of `rank` dims (padding at most half the kernel,
 * as PyTorch requires), its output size by PyTorch's rule, rounded up with `ceilMode`.
 */
function poolingGeometry(source: Parameters<ArgumentDraw>[0], rank: number, ceilMode: boolean) {
  const kernelSize = Array.from({ length: rank }, () => source.integer(1, 4));
  const stride = kernelSize.map(() => source.integer(1, 3));
  const padding = kernelSize.map((size) => source.integer(0, Math.floor(size / 2) + 1));
  const inputSize = kernelSize.map((size) => source.integer(size, size + 5));
  const outputSize = inputSize.map((size, d) => {
    const span = size + 2 * padding[d]! - kernelSize[d]!;
    let count = (ceilMode ? Math.ceil(span / stride[d]!) : Math.floor(span / stride[d]!)) + 1;
    // The last window must start inside the input or its leading padding.
    if (ceilMode && (count - 1) * stride[d]! >= size + padding[d]!) count--;
    return count;
  });
  return { inputSize, outputSize, kernelSize, stride, padding, dilation: kernelSize.map(() => 1), groups: 1 };
}

const extraCases: Record<string, ArgumentDraw> = {
  avgPoolBackward: (source, round) => {
    const geometry = poolingGeometry(source, 1 + (round % 3), round % 2 === 1);
    const lead = [source.integer(1, 3), source.integer(1, 3)];
    const divisorOverride = round % 4 === 3 ? source.integer(1, 6) : null;
    const gradOutput = source.tensor([...lead, ...geometry.outputSize], FLOATS[round % 2]!, layouts[round % 4]!);
    return [gradOutput, geometry, round % 3 !== 1, divisorOverride];
  },
  adaptiveAvgPoolBackward: (source, round) => {
    const rank = 1 + (round % 3);
    const inputSize = source.shape(rank, 7);
    const outputSize = source.shape(rank, 5);
    return [source.tensor([source.integer(1, 3), source.integer(1, 3), ...outputSize], FLOATS[round % 2]!, layouts[round % 4]!), inputSize];
  },
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
  it('checks all five, against their composite defaults', () => {
    expect(cases.map((check) => check.kernel).sort()).toEqual([
      'adaptiveAvgPoolBackward', 'avgPoolBackward', 'convolutionPadBackward', 'maxPoolBackward', 'maxUnpoolBackward',
    ]);
  });
  for (const check of cases) it(check.name, () => check.run());
});
