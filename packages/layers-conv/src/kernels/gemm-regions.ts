/**
 * The convolution kernels' one way into the matrix product: the active
 * `gemm` kernel of the registry, on strided regions of flat arrays.
 */
import { getKernel, makeTensor } from '@strata/tensor/backend';

type FloatArray = Float32Array | Float64Array;

/**
 * C[m×n] (+)= A[m×k]·B[k×n] (+ bias[i] on row i) on the active `gemm`
 * kernel, for strided regions of flat arrays: A[i][p] is
 * `a[aOffset + i*aRowStride + p*aColStride]`, likewise B; C is dense at
 * `cOffset`; the bias, when given, is `bias[biasOffset + i]`, added in the
 * product's epilogue.
 */
export function gemmRegions(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, aRowStride: number, aColStride: number,
  b: FloatArray, bOffset: number, bRowStride: number, bColStride: number,
  c: FloatArray, cOffset: number, accumulate: boolean,
  bias: FloatArray | null = null, biasOffset = 0,
): void {
  getKernel('gemm')(
    makeTensor(a, [m, k], [aRowStride, aColStride], aOffset),
    makeTensor(b, [k, n], [bRowStride, bColStride], bOffset),
    {
      out: makeTensor(c, [m, n], [n, 1], cOffset),
      accumulate,
      bias: bias === null ? null : makeTensor(bias, [m, 1], [1, 0], biasOffset),
    },
  );
}
