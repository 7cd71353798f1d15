import { type Generator, Tensor, allocate, numelOf } from '@strata/tensor';

/**
 * A dropout mask: a contiguous tensor of `shape` and `dtype` whose elements
 * are `kept` with probability 1 − p and `dropped` otherwise, one draw of
 * `generator` per element in row-major order. `p` is in (0, 1).
 *
 * A draw keeps its element when the generator's next 32 bits, read as
 * u / 2³², fall below 1 − p: PyTorch's `bernoulli_(1 - p)`, on 32-bit
 * uniforms (one generator step per element instead of two for a double).
 */
export function dropoutNoiseKernel(
  shape: readonly number[], dtype: 'float32' | 'float64', p: number, kept: number, dropped: number, generator: Generator,
): Tensor {
  const count = numelOf(shape);
  const data = allocate(dtype, count);
  const threshold = Math.ceil((1 - p) * 4294967296);
  for (let i = 0; i < count; i++) data[i] = generator.nextUint32() < threshold ? kept : dropped;
  return Tensor.fromData(data, shape);
}
