import { Tensor, allocate } from '@strata/tensor';

/**
 * x for x > 0, else weight[c] · x, with c the channel (dimension 1) of each
 * element, or one slope for all when `weight` has one element. `weight`
 * is 1-D and matches (checked by the op); the dtypes are one float dtype.
 */
export function preluKernel(input: Tensor, weight: Tensor): Tensor {
  const values = input.contiguousData();
  const slopes = weight.contiguousData();
  const count = values.length;
  const output = allocate(input.dtype, count);
  if (slopes.length === 1) {
    const slope = slopes[0]!;
    for (let i = 0; i < count; i++) {
      const x = values[i]!;
      output[i] = x > 0 ? x : slope * x;
    }
  } else {
    const channels = slopes.length;
    let inner = 1;
    for (let d = 2; d < input.ndim; d++) inner *= input.shape[d]!;
    for (let start = 0, channel = 0; start < count; start += inner, channel = (channel + 1) % channels) {
      const slope = slopes[channel]!;
      for (let i = start, end = start + inner; i < end; i++) {
        const x = values[i]!;
        output[i] = x > 0 ? x : slope * x;
      }
    }
  }
  return Tensor.fromData(output, input.shape);
}
