import { Tensor, allocate, gemm } from '@strata/tensor';

/**
 * `input · weightᵀ + bias` for a 2-D input [M, K], weight [N, K] and bias
 * [N] (or none), all of one float dtype; any strides. The bias is written
 * first and the product accumulated onto it, so it costs no extra pass; the
 * weight's transpose is read through its strides, without a copy.
 */
export function linearKernel(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const m = input.shape[0]!;
  const k = input.shape[1]!;
  const n = weight.shape[0]!;
  const output = allocate(input.dtype as 'float32' | 'float64', m * n);
  if (bias !== null && n > 0) {
    const values = bias.contiguousData();
    for (let row = 0, offset = 0; row < m; row++, offset += n) {
      for (let column = 0; column < n; column++) output[offset + column] = values[column]!;
    }
  }
  gemm(
    m, n, k,
    input.storage.data as Float32Array | Float64Array, input.offset, input.strides[0]!, input.strides[1]!,
    // B = weightᵀ: B[p][j] = weight[j][p], so B's row stride is weight's column stride and the other way round.
    weight.storage.data as Float32Array | Float64Array, weight.offset, weight.strides[1]!, weight.strides[0]!,
    output, 0,
    bias !== null,
  );
  return Tensor.fromData(output, [m, n]);
}
