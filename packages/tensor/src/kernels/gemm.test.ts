import { describe, expect, it } from 'vitest';
import { type GemmOptions, type Tensor, kernelOf, listBackends, makeTensor } from '../backend.js';
import { seededRandom } from './gemm-test-support.js';
import '../index.js';

/** A float tensor of `shape` with seeded values in [-1, 1). */
function random(shape: number[], seed: number, float64 = false): Tensor {
  const next = seededRandom(seed);
  const count = shape.reduce((product, size) => product * size, 1);
  const data = float64 ? new Float64Array(count) : new Float32Array(count);
  for (let index = 0; index < count; index++) data[index] = next() * 2 - 1;
  return makeTensor(data, shape);
}

/** activation(initial + bias + a·b) by the definition, in float64, for 2-D or 3-D operands. */
function expected(a: Tensor, b: Tensor, options: GemmOptions, initial: number[] | null): number[] {
  const rank = a.ndim;
  const [m, k, n] = [a.shape[rank - 2]!, a.shape[rank - 1]!, b.shape[rank - 1]!];
  const batches = rank === 3 ? a.shape[0]! : 1;
  const at = (t: Tensor, index: number[]): number =>
    t.storage.data[t.offset + index.reduce((sum, i, d) => sum + i * t.strides[d]!, 0)]!;
  const result: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = initial === null ? 0 : initial[result.length]!;
        const bias = options.bias ?? null;
        if (bias !== null) sum += bias.ndim === 2 ? at(bias, [bias.shape[0] === 1 ? 0 : i, bias.shape[1] === 1 ? 0 : j]) : at(bias, [j]);
        for (let p = 0; p < k; p++) {
          sum += rank === 3 ? at(a, [batch, i, p]) * at(b, [batch, p, j]) : at(a, [i, p]) * at(b, [p, j]);
        }
        result.push(options.activation === 'relu' ? Math.max(sum, 0) : sum);
      }
    }
  }
  return result;
}

describe('gemm kernel', () => {
  const backends = listBackends().filter((backend) => kernelOf('gemm', backend) !== null);

  it('is registered by the CPU reference and the wasm backend', () => {
    expect(backends).toEqual(['cpu', 'wasm']);
  });

  for (const backend of backends) {
    const gemm = kernelOf('gemm', backend)!;
    const check = (actual: Tensor, wanted: number[], k: number): void => {
      const values = Array.from(actual.toTypedArray());
      expect(values.length).toBe(wanted.length);
      values.forEach((value, index) => expect(Math.abs(value - wanted[index]!)).toBeLessThanOrEqual(1e-5 * Math.sqrt(k) * (1 + Math.abs(wanted[index]!))));
    };

    it(`${backend}: a row bias, a column bias and relu, on transposed operands`, () => {
      for (const [m, n, k] of [[3, 5, 7], [40, 33, 65]] as const) {
        const a = random([k, m], 1);
        const aT = makeTensor(a.storage, [m, k], [1, m]);
        const b = random([k, n], 2);
        for (const bias of [random([n], 3), random([m, 1], 4)]) {
          const options: GemmOptions = { bias, activation: 'relu' };
          check(gemm(aT, b, options), expected(aT, b, options, null), k);
        }
      }
    });

    it(`${backend}: batched with a broadcast (stride 0) operand, into a region of a bigger array, accumulating`, () => {
      const [batch, m, n, k] = [3, 20, 24, 30];
      const a = random([batch, m, k], 5);
      const shared = random([k, n], 6);
      const b = makeTensor(shared.storage, [batch, k, n], [0, n, 1]);
      const storage = random([7 + batch * m * n], 7).storage;
      const out = makeTensor(storage, [batch, m, n], [m * n, n, 1], 7);
      const initial = Array.from(out.toTypedArray());
      const result = gemm(a, b, { out, accumulate: true });
      expect(result).toBe(out);
      check(result, expected(a, b, {}, initial), k);
      expect(storage.data.length).toBe(7 + batch * m * n);
    });

    it(`${backend}: float64 operands`, () => {
      const a = random([9, 11], 8, true);
      const b = random([11, 13], 9, true);
      const result = gemm(a, b);
      expect(result.dtype).toBe('float64');
      check(result, expected(a, b, {}, null), 11);
    });
  }
});
