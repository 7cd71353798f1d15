/**
 * The convolution kernels, for any number of spatial dimensions: forward,
 * transposed (the forward's input gradient, and the transposed
 * convolution's forward) and weight gradient (the bias gradient is in
 * `convolution-bias.ts`). No autograd in here: tensors in, a new contiguous
 * tensor out. Each call runs the path `convolution-plan.ts` chooses.
 */
import { Tensor } from '@strata/tensor';
import { allocate, allocateForOverwrite } from '@strata/tensor/backend';
import { MAX_FLIPPED_GROWTH, plan, shiftedPlan, volumeOf } from './convolution-plan.js';
import { depthwiseBackwardInput, depthwiseBackwardWeight, depthwiseForward } from './depthwise.js';
import { directBackwardInput, directBackwardWeight, directForward } from './direct.js';
import type { ConvolutionGeometry, SegmentTable } from './geometry.js';
import { gemmBatchRegions, gemmRegions } from './gemm-regions.js';
import { col2im3x3, col2im3x3Applies } from './col2im-3x3.js';
import { col2im, im2col } from './im2col.js';
import { scratch } from './scratch.js';
import { flippedGeometry, flippedWeight, shiftedLayout } from './shifted.js';
import { denseApplies, denseBackwardWeight, denseForward } from './shifted-dense.js';
import { shiftedBackwardWeight, shiftedForward } from './shifted-products.js';

type FloatArray = Float32Array | Float64Array;

function data(tensor: Tensor): FloatArray {
  return tensor.contiguousData() as FloatArray;
}

/** Fills each channel plane of a fresh [N, C, volume] array with that channel's bias. */
function fillBias(output: FloatArray, bias: Tensor | null, batch: number, channels: number, volume: number): void {
  if (bias === null) return;
  const values = data(bias);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const start = (n * channels + c) * volume;
      output.fill(values[c]!, start, start + volume);
    }
  }
}

/**
 * im2col of the sample at `sampleStart` of `x` into `columns`: with stride
 * 1 along the last dimension, from a copy of the sample placed at `staged`
 * in `columns` itself, so that each segment is one native `copyWithin`.
 */
function columnsOf(
  x: FloatArray, sampleStart: number, channels: number, table: SegmentTable, columns: FloatArray, staged: number,
  columnOffset: number, rowLength: number,
): void {
  if (table.step !== 1) {
    im2col(x, sampleStart, channels, table, columns, columnOffset, rowLength);
    return;
  }
  columns.set(x.subarray(sampleStart, sampleStart + channels * table.inputVolume), staged);
  im2col(columns, staged, channels, table, columns, columnOffset, rowLength);
}

/**
 * Copies `count` samples of a [N, C, volume] array, from sample `first`, into
 * [C, count·volume] (samples side by side in each row).
 */
function gatherSamples(from: FloatArray, to: FloatArray, first: number, count: number, channels: number, volume: number): void {
  const rowLength = count * volume;
  for (let j = 0; j < count; j++) {
    for (let c = 0; c < channels; c++) {
      const source = ((first + j) * channels + c) * volume;
      const target = c * rowLength + j * volume;
      for (let p = 0; p < volume; p++) to[target + p] = from[source + p]!;
    }
  }
}

/** The reverse of {@link gatherSamples}: [C, count·volume] back into samples `first…` of [N, C, volume]. */
function scatterSamples(from: FloatArray, to: FloatArray, first: number, count: number, channels: number, volume: number): void {
  const rowLength = count * volume;
  for (let j = 0; j < count; j++) {
    for (let c = 0; c < channels; c++) {
      const target = ((first + j) * channels + c) * volume;
      const source = c * rowLength + j * volume;
      for (let p = 0; p < volume; p++) to[target + p] = from[source + p]!;
    }
  }
}

/**
 * A stride-1 transposed convolution as the convolution of its input with
 * the flipped kernel (padding `dilation·(kernel − 1) − padding`) on the
 * shifted path, when that path takes it: no col2im scatter. Else null.
 */
function flippedConvolution(
  gradOutput: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry,
): Tensor | null {
  const flipped = flippedGeometry(geometry);
  if (flipped === null || shiftedLayout(flipped).wideLength > MAX_FLIPPED_GROWTH * volumeOf(geometry.outputSize)) return null;
  const groups = geometry.groups;
  const outChannels = gradOutput.shape[1]!;
  const channels = weight.shape[1]! * groups;
  const p = plan(gradOutput.shape[0]!, outChannels, channels, flipped, false, gradOutput.dtype);
  if (p.path !== 'shifted') return null;
  const kernelVolume = p.table.kernelVolume;
  const w = allocate(gradOutput.dtype, weight.shape[0]! * weight.shape[1]! * kernelVolume) as FloatArray;
  flippedWeight(data(weight), outChannels, channels / groups, groups, kernelVolume, w);
  const result = allocate(gradOutput.dtype, p.batch * channels * p.table.outputVolume) as FloatArray;
  const shifted = shiftedPlan(p, flipped);
  const b = bias === null ? null : data(bias);
  if (denseApplies(flipped, shifted)) denseForward(data(gradOutput), w, b, result, gradOutput.dtype, shifted, flipped);
  else shiftedForward(data(gradOutput), w, b, result, gradOutput.dtype, shifted);
  return Tensor.fromData(result, [p.batch, channels, ...geometry.inputSize]);
}

/**
 * The convolution: input [N, C, ...inputSize], weight [O, C/groups,
 * ...kernelSize], bias [O] or null → [N, O, ...outputSize].
 */
export function convolutionKernel(input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry): Tensor {
  const p = plan(input.shape[0]!, input.shape[1]!, weight.shape[0]!, geometry, false, input.dtype);
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const x = data(input);
  const w = data(weight);
  const length = batch * outChannels * outputVolume;
  const shifted = p.path === 'shifted' ? shiftedPlan(p, geometry) : null;
  const dense = shifted !== null && denseApplies(geometry, shifted);
  // The dense products overwrite every output element (the bias in their epilogue): no zero fill first.
  const output = (dense ? allocateForOverwrite(input.dtype, length) : allocate(input.dtype, length)) as FloatArray;
  if (p.path === 'direct') {
    directForward(x, w, bias === null ? null : data(bias), output, batch, channels, outChannels, groups, geometry);
    return Tensor.fromData(output, [batch, outChannels, ...geometry.outputSize]);
  }
  const b = bias === null ? null : data(bias);
  if (shifted !== null) {
    if (dense) denseForward(x, w, b, output, input.dtype, shifted, geometry);
    else shiftedForward(x, w, b, output, input.dtype, shifted);
  } else if (p.path === 'depthwise') {
    fillBias(output, bias, batch, outChannels, outputVolume);
    depthwiseForward(x, w, output, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        gemmRegions(
          groupOutChannels, outputVolume, groupChannels,
          w, g * groupOutChannels * depth, depth, 1,
          x, (n * channels + g * groupChannels) * inputVolume, inputVolume, 1,
          output, (n * outChannels + g * groupOutChannels) * outputVolume, false,
          b, g * groupOutChannels,
        );
      }
    }
  } else {
    const staged = channels * table.kernelVolume * chunk * outputVolume;
    const columns = scratch(input.dtype, 'columns', staged + channels * inputVolume);
    const staging = chunk > 1 ? scratch(input.dtype, 'staging', outChannels * chunk * outputVolume) : null;
    if (chunk === 1) fillBias(output, bias, batch, outChannels, outputVolume);
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      const rowLength = count * outputVolume;
      for (let j = 0; j < count; j++) {
        columnsOf(x, (first + j) * channels * inputVolume, channels, table, columns, staged, j * outputVolume, rowLength);
      }
      // The bias in the product's epilogue, in both layouts, so a sample's values do not depend on its chunk;
      // with one sample per chunk, written by a native fill beforehand (what the epilogue does, in a loop).
      const target = count === 1 ? output : staging!;
      const targetStart = count === 1 ? first * outChannels * outputVolume : 0;
      for (let g = 0; g < groups; g++) {
        gemmRegions(
          groupOutChannels, rowLength, depth,
          w, g * groupOutChannels * depth, depth, 1,
          columns, g * depth * rowLength, rowLength, 1,
          target, targetStart + g * groupOutChannels * rowLength, chunk === 1 && b !== null,
          chunk === 1 ? null : b, g * groupOutChannels,
        );
      }
      if (count > 1) scatterSamples(staging!, output, first, count, outChannels, outputVolume);
    }
  }
  return Tensor.fromData(output, [batch, outChannels, ...geometry.outputSize]);
}

/**
 * The transposed convolution of `geometry`: gradOutput [N, O, ...outputSize],
 * weight [O, C/groups, ...kernelSize], bias [C] or null → [N, C,
 * ...inputSize]. It is the convolution's input gradient, and the forward of
 * `convTransposeNd` (whose weight [in, out/groups, ...] is this weight).
 */
export function convolutionTransposeKernel(
  gradOutput: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry,
): Tensor {
  const flipped = flippedConvolution(gradOutput, weight, bias, geometry);
  if (flipped !== null) return flipped;
  const p = plan(
    gradOutput.shape[0]!, weight.shape[1]! * geometry.groups, gradOutput.shape[1]!, geometry, true, gradOutput.dtype,
  );
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const dy = data(gradOutput);
  const w = data(weight);
  const result = allocate(gradOutput.dtype, batch * channels * inputVolume) as FloatArray;
  if (p.path === 'direct') {
    directBackwardInput(dy, w, bias === null ? null : data(bias), result, batch, channels, outChannels, groups, geometry);
    return Tensor.fromData(result, [batch, channels, ...geometry.inputSize]);
  }
  fillBias(result, bias, batch, channels, inputVolume);
  if (p.path === 'depthwise') {
    depthwiseBackwardInput(dy, w, result, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        // Wᵀ: row i of A is column i of the group's [O/g, C/g] weight.
        gemmRegions(
          groupChannels, outputVolume, groupOutChannels,
          w, g * groupOutChannels * depth, 1, depth,
          dy, (n * outChannels + g * groupOutChannels) * outputVolume, outputVolume, 1,
          result, (n * channels + g * groupChannels) * inputVolume, true,
        );
      }
    }
  } else {
    // Per chunk and group, one batched product reads each sample's output gradient where it lies and writes the
    // sample's column matrix, laid out [group][sample][depth][positions]: no staging copy of the gradient.
    const columns = scratch(gradOutput.dtype, 'columns', channels * table.kernelVolume * chunk * outputVolume);
    const gathers = col2im3x3Applies(geometry);
    const sampleColumns = depth * outputVolume;
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      for (let g = 0; g < groups; g++) {
        const groupStart = g * count * sampleColumns;
        gemmBatchRegions(
          count, depth, outputVolume, groupOutChannels,
          w, g * groupOutChannels * depth, 0, 1, depth,
          dy, (first * outChannels + g * groupOutChannels) * outputVolume, outChannels * outputVolume, outputVolume, 1,
          columns, groupStart, false,
        );
        for (let j = 0; j < count; j++) {
          const columnOffset = groupStart + j * sampleColumns;
          const outputOffset = ((first + j) * channels + g * groupChannels) * inputVolume;
          if (gathers) col2im3x3(columns, columnOffset, outputVolume, groupChannels, geometry, result, outputOffset);
          else col2im(columns, columnOffset, outputVolume, groupChannels, table, result, outputOffset);
        }
      }
    }
  }
  return Tensor.fromData(result, [batch, channels, ...geometry.inputSize]);
}

/**
 * The weight gradient of the convolution of `geometry`: input [N, C,
 * ...inputSize] and gradOutput [N, O, ...outputSize] → [O, C/groups, ...kernelSize].
 */
export function convolutionBackwardWeightKernel(input: Tensor, gradOutput: Tensor, geometry: ConvolutionGeometry): Tensor {
  const p = plan(input.shape[0]!, input.shape[1]!, gradOutput.shape[1]!, geometry, false, input.dtype);
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const x = data(input);
  const dy = data(gradOutput);
  const result = allocate(input.dtype, outChannels * depth) as FloatArray;
  if (p.path === 'shifted') {
    const shifted = shiftedPlan(p, geometry);
    if (denseApplies(geometry, shifted)) denseBackwardWeight(x, dy, result, input.dtype, shifted, geometry);
    else shiftedBackwardWeight(x, dy, result, input.dtype, shifted);
  } else if (p.path === 'direct') {
    directBackwardWeight(x, dy, result, batch, channels, outChannels, groups, geometry);
  } else if (p.path === 'depthwise') {
    depthwiseBackwardWeight(x, dy, result, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        // Xᵀ: column j of B is input plane j of the group.
        gemmRegions(
          groupOutChannels, groupChannels, outputVolume,
          dy, (n * outChannels + g * groupOutChannels) * outputVolume, outputVolume, 1,
          x, (n * channels + g * groupChannels) * inputVolume, 1, inputVolume,
          result, g * groupOutChannels * depth, true,
        );
      }
    }
  } else {
    const staged = channels * table.kernelVolume * chunk * outputVolume;
    const columns = scratch(input.dtype, 'columns', staged + channels * inputVolume);
    const staging = chunk > 1 ? scratch(input.dtype, 'staging', outChannels * chunk * outputVolume) : null;
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      const rowLength = count * outputVolume;
      for (let j = 0; j < count; j++) {
        columnsOf(x, (first + j) * channels * inputVolume, channels, table, columns, staged, j * outputVolume, rowLength);
      }
      if (count > 1) gatherSamples(dy, staging!, first, count, outChannels, outputVolume);
      const source = count === 1 ? dy : staging!;
      const sourceStart = count === 1 ? first * outChannels * outputVolume : 0;
      for (let g = 0; g < groups; g++) {
        // (columns)ᵀ as B: element [p][j] is column-matrix row j, position p.
        gemmRegions(
          groupOutChannels, depth, rowLength,
          source, sourceStart + g * groupOutChannels * rowLength, rowLength, 1,
          columns, g * depth * rowLength, 1, rowLength,
          result, g * groupOutChannels * depth, true,
        );
      }
    }
  }
  return Tensor.fromData(result, [outChannels, groupChannels, ...geometry.kernelSize]);
}

