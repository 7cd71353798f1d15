import { describe, expect, it } from 'vitest';
import { Tensor, getKernel, relu, tensor } from '../index.js';
import { kernelOf } from '../registry.js';

/** ±0, ±1, ±∞, the two NaN signs (x86 makes 0/0 a NaN with the sign bit set), ± a float32 denormal. */
function specialFloat32(): Float32Array {
  const values = new Float32Array([0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40, Number.NaN, Number.NaN]);
  new Int32Array(values.buffer)[9] = 0xffc00000 | 0;
  return values;
}

/** Each element as a number, with -0 kept apart from 0 by `toEqual` via Object.is. */
const elements = (x: Tensor): number[] => Array.from(x.toTypedArray());

describe('relu on float32 (branch-free loop on the bits)', () => {
  it('gives what the float64 loop gives on every special value: +0 for ±0 and negatives, NaN of either sign kept', () => {
    const values = specialFloat32();
    const float32 = elements(relu(Tensor.fromData(values, [values.length])));
    const float64 = elements(relu(Tensor.fromData(Float64Array.from(values), [values.length])));
    expect(float32).toEqual(float64);
    expect(Object.is(float32[1], 0)).toBe(true);
    expect(float32[9]).toBeNaN();
  });
});

describe('reluBackward', () => {
  const composite = kernelOf('reluBackward', 'composite')!;
  const fused = getKernel('reluBackward');

  it('is registered fused above its composite default', () => {
    expect(composite).not.toBeNull();
    expect(fused).not.toBe(composite);
  });

  it('matches the composite where(output <= 0, 0, g) on every special output value, in float32 and float64', () => {
    const output = specialFloat32();
    const gradient = Float32Array.from(output, (_, i) => i + 0.5);
    for (const make of [(a: Float32Array) => a, (a: Float32Array) => Float64Array.from(a)]) {
      const g = Tensor.fromData(make(gradient), [output.length]);
      const y = Tensor.fromData(make(output), [output.length]);
      expect(elements(fused(g, y))).toEqual(elements(composite(g, y)));
    }
    // The NaN outputs (both signs) let the gradient through; ±0 and negatives stop it.
    expect(elements(fused(Tensor.fromData(gradient, [10]), Tensor.fromData(output, [10])))).toEqual([0, 0, 2.5, 0, 4.5, 0, 6.5, 0, 8.5, 9.5]);
  });

  it('reads strided and broadcast views of both operands', () => {
    const g = tensor([[1, 2, 3], [4, 5, 6]]).t();
    const y = tensor([[-1], [2], [0]]).expand([3, 2]);
    expect(fused(g, y).tolist()).toEqual([[0, 0], [2, 5], [0, 0]]);
    expect(fused(g, y).tolist()).toEqual(composite(g, y).tolist());
  });
});

describe('hardtanhBackward and leakyReluBackward', () => {
  it('match their composites on the bounds, ±0, ±∞ and NaN of either sign, in float32 and float64', () => {
    const input = new Float32Array([-1, -0.5, 0, -0, 0.25, 0.75, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, Number.NaN]);
    new Int32Array(input.buffer)[10] = 0xffc00000 | 0;
    const gradient = Float32Array.from(input, (_, i) => i + 0.5);
    for (const make of [(a: Float32Array) => a, (a: Float32Array) => Float64Array.from(a)]) {
      const g = Tensor.fromData(make(gradient), [input.length]);
      const x = Tensor.fromData(make(input), [input.length]);
      const hardtanh = [kernelOf('hardtanhBackward', 'composite')!, getKernel('hardtanhBackward')];
      expect(elements(hardtanh[1]!(g, x, -0.5, 0.75))).toEqual(elements(hardtanh[0]!(g, x, -0.5, 0.75)));
      const leaky = [kernelOf('leakyReluBackward', 'composite')!, getKernel('leakyReluBackward')];
      expect(elements(leaky[1]!(g, x, 0.1))).toEqual(elements(leaky[0]!(g, x, 0.1)));
    }
  });
});
