import type { Tensor } from '@strata/tensor';
import { getKernel, makeTensor } from '@strata/tensor/backend';

/**
 * `input · weightᵀ + bias` for a 2-D input [M, K], weight [N, K] and bias
 * [N] (or none), all of one float dtype; any strides. One call of the
 * active `gemm` kernel with the bias as its epilogue; the weight's transpose
 * is read through its strides, without a copy.
 */
export function linearKernel(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  // B = weightᵀ: B[p][j] = weight[j][p], so B's row stride is weight's column stride and the other way round.
  const weightT = makeTensor(weight.storage, [weight.shape[1]!, weight.shape[0]!], [weight.strides[1]!, weight.strides[0]!], weight.offset);
  return getKernel('gemm')(input, weightT, { bias });
}
