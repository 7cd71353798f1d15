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

type FloatArray = Float32Array | Float64Array;

/**
 * The sliding blocks of `input` `[N, C, ...geometry.inputSize]` (zeros in
 * the padding): `[N, C·K, L]`, K the kernel volume and L the number of
 * blocks (the volume of `geometry.outputSize`).
 */
export function unfoldKernel(input: Tensor, geometry: ConvolutionGeometry): Tensor {
  const table = segmentTable(geometry);
  const [batch, channels] = input.shape as [number, number];
  const x = input.contiguousData() as FloatArray;
  const columns = allocate(input.dtype as 'float32' | 'float64', batch * channels * table.kernelVolume * table.outputVolume);
  im2col(x, 0, batch * channels, table, columns, 0, table.outputVolume);
  return Tensor.fromData(columns, [batch, channels * table.kernelVolume, table.outputVolume]);
}

/**
 * The adjoint of {@link unfoldKernel}: the blocks of `columns`
 * `[N, C·K, L]` summed back into `[N, C, ...geometry.inputSize]`
 * (overlapping elements add up; the padding is dropped).
 */
export function foldKernel(columns: Tensor, geometry: ConvolutionGeometry): Tensor {
  const table = segmentTable(geometry);
  const [batch, rows] = columns.shape as [number, number];
  const channels = rows / table.kernelVolume;
  const source = columns.contiguousData() as FloatArray;
  const output = allocate(columns.dtype as 'float32' | 'float64', batch * channels * table.inputVolume);
  col2im(source, 0, table.outputVolume, batch * channels, table, output, 0);
  return Tensor.fromData(output, [batch, channels, ...geometry.inputSize]);
}
