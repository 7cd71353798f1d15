import { Tensor, allocate } from '@strata/tensor';

/**
 * `input[m, f] · weight[f] + bias[f]` for a 2-D input [M, F], weight [F] and
 * bias [F] (or none), all of one float dtype (checked by the op). No autograd
 * in here: kernels compute, `defineOp` differentiates.
 */
export function attentionScaleKernel(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const values = input.contiguousData();
  const gains = weight.contiguousData();
  const shifts = bias === null ? null : bias.contiguousData();
  const features = gains.length;
  const output = allocate(input.dtype, values.length);
  for (let start = 0; start < values.length; start += features) {
    for (let f = 0; f < features; f++) output[start + f] = values[start + f]! * gains[f]! + (shifts === null ? 0 : shifts[f]!);
  }
  return Tensor.fromData(output, input.shape);
}
