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

/**
 * `count` products C_j[m×n] (+)= A_j[m×k]·B_j[k×n] in one `gemm` call, as
 * {@link gemmRegions} with a batch stride for each operand (0 for an operand
 * every product shares): A_j[i][p] is `a[aOffset + j*aBatchStride +
 * i*aRowStride + p*aColStride]`, likewise B_j; the C_j are dense and
 * consecutive from `cOffset`.
 */
export function gemmBatchRegions(
  count: number, m: number, n: number, k: number,
  a: FloatArray, aOffset: number, aBatchStride: number, aRowStride: number, aColStride: number,
  b: FloatArray, bOffset: number, bBatchStride: number, bRowStride: number, bColStride: number,
  c: FloatArray, cOffset: number, accumulate: boolean,
): void {
  getKernel('gemm')(
    makeTensor(a, [count, m, k], [aBatchStride, aRowStride, aColStride], aOffset),
    makeTensor(b, [count, k, n], [bBatchStride, bRowStride, bColStride], bOffset),
    { out: makeTensor(c, [count, m, n], [m * n, n, 1], cOffset), accumulate },
  );
}
