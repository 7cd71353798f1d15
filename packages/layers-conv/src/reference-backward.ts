/**
 * Defaults of this package's fused backward kernels: max pooling's gradient
 * (`maxPoolBackward`), max unpooling's (`maxUnpoolBackward`), the reading
 * paddings' (`convolutionPadBackward`), average pooling's
 * (`avgPoolBackward`) and adaptive average pooling's
 * (`adaptiveAvgPoolBackward`), composed of forward ops (`scatterAdd`,
 * `gather`, `where`, `div`, the padding itself and `fold`). They register
 * under the backend name `'composite'` beneath the CPU loops, so a backend
 * that lacks the fused ones still trains.
 */
import { Tensor, arange, gather, ge, getKernel, logicalAnd, lt, scatterAdd, where, zeros } from '@strata/tensor';
import type { ConvolutionGeometry } from './kernels/geometry.js';
import type { PaddingSpec } from './kernels/padding.js';
import { avgPoolDivisors } from './kernels/pooling-avg.js';

/** The backend name of the defaults composed of forward ops. */
export const COMPOSITE_BACKEND = 'composite';

/** `tensor` with its last `rank` dims flattened into one: [planes, volume]. */
function planes(tensor: Tensor, rank: number): Tensor {
  const product = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);
  return tensor.reshape([product(tensor.shape.slice(0, tensor.ndim - rank)), product(tensor.shape.slice(tensor.ndim - rank))]);
}

/** Whether each index lies in [0, size), and the indices with the others replaced by 0. */
function validIndices(indices: Tensor, size: number): { valid: Tensor; clamped: Tensor } {
  const valid = logicalAnd(ge(indices, 0), lt(indices, size));
  return { valid, clamped: where(valid, indices, 0) };
}

/** `maxPoolBackward` in forward ops: `values` scatter-added into zero planes at `indices`; indices outside a plane add nothing. */
export function maxPoolBackwardComposite(values: Tensor, indices: Tensor, shape: readonly number[], rank: number): Tensor {
  const targetVolume = shape.slice(shape.length - rank).reduce((product, size) => product * size, 1);
  const planeCount = shape.slice(0, shape.length - rank).reduce((product, size) => product * size, 1);
  const { valid, clamped } = validIndices(planes(indices, rank), targetVolume);
  const kept = where(valid, planes(values, rank), 0);
  return scatterAdd(zeros([planeCount, targetVolume], { dtype: values.dtype }), 1, clamped, kept).reshape([...shape]);
}

/** `maxUnpoolBackward` in forward ops: each plane of `source` gathered at `indices`; indices outside a plane read 0. */
export function maxUnpoolBackwardComposite(source: Tensor, indices: Tensor, rank: number): Tensor {
  const flatSource = planes(source, rank);
  const { valid, clamped } = validIndices(planes(indices, rank), flatSource.shape[1]!);
  return where(valid, gather(flatSource, 1, clamped), 0).reshape([...indices.shape]);
}

/**
 * `convolutionPadBackward` in forward ops. A reading padding copies input
 * positions, so padding a plane that holds each position's own index (exact
 * in float64) gives, for every padded position, the input position it
 * reads; the gradient adds each padded position's gradient there (`scatterAdd`).
 */
export function convolutionPadBackwardComposite(gradOutput: Tensor, padding: PaddingSpec): Tensor {
  const rank = padding.before.length;
  const lead = gradOutput.shape.slice(0, gradOutput.ndim - rank);
  const padded = gradOutput.shape.slice(gradOutput.ndim - rank);
  const spatial = padded.map((size, d) => size - padding.before[d]! - padding.after[d]!);
  const volume = spatial.reduce((product, size) => product * size, 1);
  const positions = arange(volume, { dtype: 'float64' }).reshape([1, 1, ...spatial]);
  const sources = getKernel('convolutionPad')(positions, padding).reshape([1, -1]).to('int32');
  const flatGradient = planes(gradOutput, rank);
  const index = sources.expand([flatGradient.shape[0]!, sources.shape[1]!]);
  const result = scatterAdd(zeros([flatGradient.shape[0]!, volume], { dtype: gradOutput.dtype }), 1, index, flatGradient);
  return result.reshape([...lead, ...spatial]);
}

/**
 * `avgPoolBackward` in forward ops. Average pooling is `unfold` (every
 * window's elements as a column) followed by a mean of each column, so its
 * adjoint divides each output gradient by its window's divisor, repeats it
 * for every kernel offset, and folds the columns back (`col2im`, the adjoint
 * of `unfold`: overlapping windows add up, the padding is dropped). The
 * divisors are geometry, computed on the host as the fused kernel does.
 */
export function avgPoolBackwardComposite(
  gradOutput: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null,
): Tensor {
  const rank = geometry.kernelSize.length;
  const lead = gradOutput.shape.slice(0, gradOutput.ndim - rank);
  const kernelVolume = geometry.kernelSize.reduce((product, size) => product * size, 1);
  const flatGradient = planes(gradOutput, rank);
  const [planeCount, outputVolume] = [flatGradient.shape[0]!, flatGradient.shape[1]!];
  const divisors = Tensor.fromData(avgPoolDivisors(geometry, countIncludePad, divisorOverride), [outputVolume]).to(gradOutput.dtype);
  const columns = flatGradient.div(divisors).reshape([planeCount, 1, outputVolume]).expand([planeCount, kernelVolume, outputVolume]);
  const folded = getKernel('col2im')(columns.contiguous().reshape([planeCount * kernelVolume, outputVolume]), geometry);
  return folded.reshape([...lead, ...geometry.inputSize]);
}

/**
 * The (output position, input position) pairs of adaptive average pooling's
 * windows, output-major, and each output window's size: output `o` of a
 * dimension of input size `n` and output size `m` pools `[floor(o·n/m), ceil((o+1)·n/m))`.
 */
function adaptiveWindows(inputSize: readonly number[], outputSize: readonly number[]): { outputs: Int32Array; inputs: Int32Array; sizes: Float64Array } {
  const outputVolume = outputSize.reduce((product, size) => product * size, 1);
  const sizes = new Float64Array(outputVolume);
  const outputs: number[] = [];
  const inputs: number[] = [];
  const visit = (d: number, output: number, input: number, size: number): void => {
    if (d === outputSize.length) {
      outputs.push(output);
      inputs.push(input);
      sizes[output] = size;
      return;
    }
    const [n, m] = [inputSize[d]!, outputSize[d]!];
    for (let o = 0; o < m; o++) {
      const start = Math.floor((o * n) / m);
      const end = Math.ceil(((o + 1) * n) / m);
      for (let i = start; i < end; i++) visit(d + 1, output * m + o, input * n + i, size * (end - start));
    }
  };
  visit(0, 0, 0, 1);
  // The walk goes dimension by dimension; sort the pairs output-major, so every input position accumulates its shares in output order, as the fused loop does.
  const order = outputs.map((_, pair) => pair).sort((a, b) => outputs[a]! - outputs[b]! || inputs[a]! - inputs[b]!);
  return {
    outputs: Int32Array.from(order, (pair) => outputs[pair]!),
    inputs: Int32Array.from(order, (pair) => inputs[pair]!),
    sizes,
  };
}

/**
 * `adaptiveAvgPoolBackward` in forward ops: each output gradient divided by
 * its window's size, read once per element of its window (`gather`) and
 * added to that element (`scatterAdd`). Windows differ in size and may
 * overlap, so the pairs are listed instead of folded with one geometry.
 */
export function adaptiveAvgPoolBackwardComposite(gradOutput: Tensor, inputSize: readonly number[]): Tensor {
  const rank = inputSize.length;
  const lead = gradOutput.shape.slice(0, gradOutput.ndim - rank);
  const outputSize = gradOutput.shape.slice(gradOutput.ndim - rank);
  const inputVolume = inputSize.reduce((product, size) => product * size, 1);
  const { outputs, inputs, sizes } = adaptiveWindows(inputSize, outputSize);
  const flatGradient = planes(gradOutput, rank);
  const planeCount = flatGradient.shape[0]!;
  const shares = flatGradient.div(Tensor.fromData(sizes, [sizes.length]).to(gradOutput.dtype));
  const pairs = outputs.length;
  const read = gather(shares, 1, Tensor.fromData(outputs, [1, pairs]).expand([planeCount, pairs]));
  const target = Tensor.fromData(inputs, [1, pairs]).expand([planeCount, pairs]);
  return scatterAdd(zeros([planeCount, inputVolume], { dtype: gradOutput.dtype }), 1, target, read).reshape([...lead, ...inputSize]);
}
