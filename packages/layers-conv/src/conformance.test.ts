import { type KernelName, kernelBackends, listKernels } from '@strata/tensor/backend';
import { type ArgumentDraw, conformanceCases } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';

// The kernels registered before this package's (tensor's, autograd's, module's), to tell this package's apart.
const tensorKernels = new Set(listKernels());
await import('./index.js');

// Random calls of every kernel this package registers, for `@strata/tensor/testing`:
// the fused CPU backward loops against their defaults composed of forward
// ops, the others (convolutions, folds, poolings, padding) against
// themselves on contiguous copies, so every layout is read right.

const FLOATS = ['float32', 'float64'] as const;
const layouts = ['contiguous', 'offset', 'transposed', 'strided'] as const;
/** The layouts of inputs a kernel only reads (broadcast: dim 0 with stride 0). */
const readLayouts = [...layouts, 'broadcast'] as const;

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

/**
 * A random convolution of `rank` spatial dims: kernel 1–3, stride 1–2,
 * dilation 1–2, padding 0–2, groups 1–2, an input at least one dilated
 * kernel wide, the output size by PyTorch's rule; and the channel counts.
 */
function convolutionGeometry(source: Parameters<ArgumentDraw>[0], rank: number) {
  const kernelSize = Array.from({ length: rank }, () => source.integer(1, 4));
  const stride = kernelSize.map(() => source.integer(1, 3));
  const dilation = kernelSize.map(() => source.integer(1, 3));
  const padding = kernelSize.map(() => source.integer(0, 3));
  const span = kernelSize.map((size, d) => dilation[d]! * (size - 1) + 1);
  const inputSize = span.map((width, d) => Math.max(1, width - 2 * padding[d]!) + source.integer(0, 5));
  const outputSize = inputSize.map((size, d) => Math.floor((size + 2 * padding[d]! - span[d]!) / stride[d]!) + 1);
  const groups = source.integer(1, 3);
  const channels = groups * source.integer(1, 3);
  const outputChannels = groups * source.integer(1, 3);
  const geometry = { inputSize, outputSize, kernelSize, stride, padding, dilation, groups };
  return { geometry, channels, outputChannels, batch: source.integer(1, 3) };
}

/** A float tensor for round `round`, in one of the layouts a kernel reads. */
function readOperand(source: Parameters<ArgumentDraw>[0], shape: readonly number[], round: number, shift = 0) {
  return source.tensor(shape, FLOATS[round % 2]!, readLayouts[(round + shift) % readLayouts.length]!);
}

/** A convolution weight [O, C/groups, ...kernel] (dtype of round `round`). */
function convolutionWeight(source: Parameters<ArgumentDraw>[0], round: number, conv: ReturnType<typeof convolutionGeometry>) {
  const { geometry, channels, outputChannels } = conv;
  return readOperand(source, [outputChannels, channels / geometry.groups, ...geometry.kernelSize], round, 1);
}

const extraCases: Record<string, ArgumentDraw> = {
  convolution: (source, round) => {
    const conv = convolutionGeometry(source, 1 + (round % 3));
    const input = readOperand(source, [conv.batch, conv.channels, ...conv.geometry.inputSize], round);
    const bias = round % 3 === 2 ? null : readOperand(source, [conv.outputChannels], round, 2);
    return [input, convolutionWeight(source, round, conv), bias, conv.geometry];
  },
  convolutionTranspose: (source, round) => {
    const conv = convolutionGeometry(source, 1 + (round % 3));
    const input = readOperand(source, [conv.batch, conv.outputChannels, ...conv.geometry.outputSize], round);
    const bias = round % 3 === 2 ? null : readOperand(source, [conv.channels], round, 2);
    return [input, convolutionWeight(source, round, conv), bias, conv.geometry];
  },
  convolutionBackwardWeight: (source, round) => {
    const conv = convolutionGeometry(source, 1 + (round % 3));
    const input = readOperand(source, [conv.batch, conv.channels, ...conv.geometry.inputSize], round);
    const gradOutput = readOperand(source, [conv.batch, conv.outputChannels, ...conv.geometry.outputSize], round, 1);
    return [input, gradOutput, conv.geometry];
  },
  convolutionBackwardBias: (source, round) => [readOperand(source, [source.integer(1, 4), source.integer(1, 5), ...source.shape(round % 4, 5)], round)],
  convolutionPad: (source, round) => {
    const rank = 1 + (round % 3);
    const spatial = source.shape(rank, 5).map((size) => size + 1);
    const mode = (['reflect', 'replicate', 'circular'] as const)[round % 3]!;
    // reflect needs padding < size, circular padding <= size
    const before = spatial.map((size) => source.integer(0, size));
    const after = spatial.map((size) => source.integer(0, size));
    return [readOperand(source, [source.integer(1, 3), source.integer(1, 3), ...spatial], round), { before, after, mode }];
  },
  im2col: (source, round) => {
    const { geometry, batch, channels } = convolutionGeometry(source, 1 + (round % 3));
    return [readOperand(source, [batch, channels, ...geometry.inputSize], round), { ...geometry, groups: 1 }];
  },
  col2im: (source, round) => {
    const { geometry, batch, channels } = convolutionGeometry(source, 1 + (round % 3));
    const kernelVolume = geometry.kernelSize.reduce((product, size) => product * size, 1);
    const blocks = geometry.outputSize.reduce((product, size) => product * size, 1);
    return [readOperand(source, [batch, channels * kernelVolume, blocks], round), { ...geometry, groups: 1 }];
  },
  maxPool: (source, round) => {
    const geometry = poolingGeometry(source, 1 + (round % 3), round % 2 === 1);
    const input = readOperand(source, [source.integer(1, 3), source.integer(1, 3), ...geometry.inputSize], round);
    return [input, geometry, round % 4 === 3];
  },
  avgPool: (source, round) => {
    const geometry = poolingGeometry(source, 1 + (round % 3), round % 2 === 1);
    const dtype = (['float32', 'float64', 'int32'] as const)[round % 3]!;
    const input = source.tensor([source.integer(1, 3), source.integer(1, 3), ...geometry.inputSize], dtype, readLayouts[round % readLayouts.length]!);
    return [input, geometry, round % 3 !== 1, round % 4 === 3 ? source.integer(1, 6) : null];
  },
  adaptiveAvgPool: (source, round) => {
    const rank = 1 + (round % 3);
    return [readOperand(source, [source.integer(1, 3), source.integer(1, 3), ...source.shape(rank, 7)], round), source.shape(rank, 5)];
  },
  adaptiveMaxPool: (source, round) => {
    const rank = 1 + (round % 3);
    return [readOperand(source, [source.integer(1, 3), source.integer(1, 3), ...source.shape(rank, 7)], round), source.shape(rank, 5)];
  },
  maxUnpool: (source, round) => {
    const rank = 1 + (round % 2);
    const lead = [source.integer(1, 3), source.integer(1, 4)];
    const plane = source.shape(rank, 6);
    const pooled = plane.map((size) => Math.max(1, Math.floor(size / 2)));
    const volume = plane.reduce((product, size) => product * size, 1);
    return [readOperand(source, [...lead, ...pooled], round), source.indices([...lead, ...pooled], volume), [...lead, ...plane], rank];
  },
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

describe('layers-conv kernels in the conformance suite', () => {
  const cases = conformanceCases('cpu', { extraCases }).filter((check) => check.kernel in extraCases);
  it('checks every kernel the package registers, the five backward ones against their composite defaults', () => {
    const registered = listKernels().filter((kernel) => kernelBackends(kernel as KernelName).includes('cpu') && !tensorKernels.has(kernel));
    expect(cases.map((check) => check.kernel).sort()).toEqual(registered);
    const againstComposite = cases.filter((check) => check.name.includes('against the reference')).map((check) => check.kernel);
    expect(againstComposite.sort()).toEqual([
      'adaptiveAvgPoolBackward', 'avgPoolBackward', 'convolutionPadBackward', 'maxPoolBackward', 'maxUnpoolBackward',
    ]);
  });
  for (const check of cases) it(check.name, () => check.run());
});
