/**
 * Unfold (im2col) and fold (col2im) as tensor kernels, on the convolution's
 * `im2col`/`col2im` loops: `unfold` of [N, C, ...spatial] is exactly the
 * column matrix of all N·C planes, row `(n·C + c)·K + k` holding kernel
 * offset `k` of plane `(n, c)` at every block position, which is the
 * [N, C·K, L] layout PyTorch's `unfold` returns. No autograd in here.
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';
import { type ConvolutionGeometry, segmentTable } from './geometry.js';
import { col2im, im2col } from './im2col.js';
import { planeCount } from './pooling-max.js';

type FloatArray = Float32Array | Float64Array;

/**
 * The sliding blocks of `input` `[N, C, ...geometry.inputSize]` (or
 * unbatched `[C, ...]`; zeros in the padding): `[N, C·K, L]`, K the kernel
 * volume and L the number of blocks (the volume of `geometry.outputSize`).
 */
export function unfoldKernel(input: Tensor, geometry: ConvolutionGeometry): Tensor {
  const table = segmentTable(geometry);
  const rank = geometry.kernelSize.length;
  const planes = planeCount(input.shape, rank);
  const x = input.contiguousData() as FloatArray;
  const columns = allocate(input.dtype as 'float32' | 'float64', planes * table.kernelVolume * table.outputVolume);
  im2col(x, 0, planes, table, columns, 0, table.outputVolume);
  const lead = input.shape.slice(0, input.ndim - rank - 1);
  const channels = input.shape[input.ndim - rank - 1]!;
  return Tensor.fromData(columns, [...lead, channels * table.kernelVolume, table.outputVolume]);
}

/**
 * The adjoint of {@link unfoldKernel}: the blocks of `columns`
 * `[N, C·K, L]` (or `[C·K, L]`) summed back into `[N, C, ...geometry.inputSize]`
 * (overlapping elements add up; the padding is dropped).
 */
export function foldKernel(columns: Tensor, geometry: ConvolutionGeometry): Tensor {
  const table = segmentTable(geometry);
  const lead = columns.shape.slice(0, columns.ndim - 2);
  const channels = columns.shape[columns.ndim - 2]! / table.kernelVolume;
  const planes = planeCount(lead, 0) * channels;
  const source = columns.contiguousData() as FloatArray;
  const output = allocate(columns.dtype as 'float32' | 'float64', planes * table.inputVolume);
  col2im(source, 0, table.outputVolume, planes, table, output, 0);
  return Tensor.fromData(output, [...lead, channels, ...geometry.inputSize]);
}
