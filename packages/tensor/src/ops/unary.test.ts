import { describe, expect, it } from 'vitest';
import {
  type DType,
  DTypeError,
  type Tensor,
  abs,
  arange,
  ceil,
  cos,
  exp,
  expm1,
  floor,
  log,
  log1p,
  log2,
  neg,
  reciprocal,
  round,
  rsqrt,
  sign,
  sin,
  sqrt,
  square,
  tensor,
  trunc,
} from '../index.js';
import { storedAs, valuesOf } from './elementwise-test-support.js';

const samples = [-3.75, -1, -0.5, -0, 0, 0.25, 0.5, 1, 2.5, 10, Infinity, -Infinity, NaN];

describe('unary math against Math.* in float64', () => {
  const cases: [string, (input: Tensor) => Tensor, (x: number) => number][] = [
    ['exp', exp, Math.exp],
    ['log', log, Math.log],
    ['log2', log2, Math.log2],
    ['log1p', log1p, Math.log1p],
    ['expm1', expm1, Math.expm1],
    ['sqrt', sqrt, Math.sqrt],
    ['rsqrt', rsqrt, (x) => 1 / Math.sqrt(x)],
    ['reciprocal', reciprocal, (x) => 1 / x],
    ['sin', sin, Math.sin],
    ['cos', cos, Math.cos],
    ['abs', abs, Math.abs],
    ['neg', neg, (x) => -x],
    ['square', square, (x) => x * x],
    ['floor', floor, Math.floor],
    ['ceil', ceil, Math.ceil],
    ['trunc', trunc, Math.trunc],
  ];
  for (const [name, op, reference] of cases) {
    it(`${name} of float64 equals Math in float64, of float32 the float32 rounding of it`, () => {
      expect(valuesOf(op(tensor(samples, { dtype: 'float64' })))).toEqual(samples.map(reference));
      const float32 = tensor(samples);
      const result = op(float32);
      expect(result.dtype).toBe('float32');
      expect(valuesOf(result)).toEqual(storedAs('float32', valuesOf(float32).map(reference)));
      // Strided input: the transposed view reads the same elements in transposed order.
      const matrix = tensor(samples.slice(0, 12), { shape: [3, 4], dtype: 'float64' });
      expect(op(matrix.t()).tolist()).toEqual(op(matrix.t().contiguous()).tolist());
      expect(op(matrix.t()).shape).toEqual([4, 3]);
    });
  }

  it('satisfies exact identities', () => {
    expect(sqrt(tensor([4, 9, 0.25])).tolist()).toEqual([2, 3, 0.5]);
    expect(exp(tensor([0])).tolist()).toEqual([1]);
    expect(log2(tensor([8, 0.5])).tolist()).toEqual([3, -1]);
    const x = tensor([0.001, 0.5, 1, 3, 42], { dtype: 'float64' });
    valuesOf(exp(log(x))).forEach((value, i) => expect(value).toBeCloseTo(valuesOf(x)[i]!, 12));
    expect(valuesOf(rsqrt(tensor([0, -0, -1])))).toEqual([Infinity, -Infinity, NaN]);
    expect(valuesOf(log(tensor([0, -1])))).toEqual([-Infinity, NaN]);
  });
});

describe('rounding and sign (PyTorch 1.13 values)', () => {
  it('rounds halves to even and keeps the sign of zero', () => {
    const result = valuesOf(round(tensor([0.5, 1.5, 2.5, -0.5, -1.5, 0.49999997, -0.2, 1e300], { dtype: 'float64' })));
    expect(result).toEqual([0, 2, 2, -0, -2, 0, -0, 1e300]);
    expect(Object.is(result[3], -0)).toBe(true);
  });

  it('gives sign 0 for NaN and -0', () => {
    const result = valuesOf(sign(tensor([NaN, -0, 0, -2, 3])));
    expect(result).toEqual([0, 0, 0, -1, 1]);
    expect(Object.is(result[1], 0)).toBe(true);
  });
});

describe('dtypes and integer semantics', () => {
  const float: [string, (input: Tensor) => Tensor][] = [
    ['exp', exp],
    ['log', log],
    ['log2', log2],
    ['log1p', log1p],
    ['expm1', expm1],
    ['sqrt', sqrt],
    ['rsqrt', rsqrt],
    ['reciprocal', reciprocal],
    ['sin', sin],
    ['cos', cos],
  ];
  it('promotes int32 and bool inputs of float math to float32 (as PyTorch)', () => {
    for (const [name, op] of float) {
      for (const dtype of ['int32', 'bool'] as DType[]) {
        expect(op(tensor([1, 0], { dtype })).dtype, `${name} of ${dtype}`).toBe('float32');
      }
      expect(op(tensor([1], { dtype: 'float64' })).dtype).toBe('float64');
    }
    expect(reciprocal(tensor([0, 4], { dtype: 'int32' })).tolist()).toEqual([Infinity, 0.25]);
    expect(sqrt(tensor([true, false])).tolist()).toEqual([1, 0]);
  });

  it('keeps int32 for neg, abs, sign, square and the roundings, wrapping like PyTorch', () => {
    const ints = tensor([-2147483648, -7, 0, 46341], { dtype: 'int32' });
    expect(neg(ints).tolist()).toEqual([-2147483648, 7, 0, -46341]);
    expect(abs(ints).tolist()).toEqual([-2147483648, 7, 0, 46341]);
    expect(sign(ints).tolist()).toEqual([-1, -1, 0, 1]);
    // PyTorch: square([65536, 46341]) is [0, -2147479015].
    expect(square(tensor([65536, 46341], { dtype: 'int32' })).tolist()).toEqual([0, -2147479015]);
    for (const op of [floor, ceil, round, trunc]) {
      const result = op(ints);
      expect(result.dtype).toBe('int32');
      expect(result.tolist()).toEqual(ints.tolist());
    }
    for (const op of [neg, abs, sign, square]) expect(op(ints).dtype).toBe('int32');
  });

  it('gives bool for sign of bool and int32 for square of bool (as PyTorch)', () => {
    expect(sign(tensor([true, false])).tolist()).toEqual([true, false]);
    expect(square(tensor([true, false])).dtype).toBe('int32');
    expect(square(tensor([true, false])).tolist()).toEqual([1, 0]);
  });

  it('has Tensor methods that delegate', () => {
    const x = arange(4).reshape(2, 2);
    expect(x.square().sqrt().tolist()).toEqual(x.tolist());
    expect(x.neg().abs().tolist()).toEqual(x.tolist());
    expect(x.add(0.5).floor().tolist()).toEqual(x.tolist());
    expect(x.exp().log().round().tolist()).toEqual(x.tolist());
  });
});

describe('bad inputs', () => {
  it('refuses bool where PyTorch does, naming the op', () => {
    const mask = tensor([true, false]);
    expect(() => neg(mask)).toThrow(DTypeError);
    expect(() => neg(mask)).toThrow('neg: negation of a bool tensor is not supported (got dtype bool); to invert a mask, use logicalNot() instead');
    for (const [name, op] of [
      ['abs', abs],
      ['floor', floor],
      ['ceil', ceil],
      ['round', round],
      ['trunc', trunc],
    ] as const) {
      expect(() => op(mask)).toThrow(`${name}: not supported for bool tensors (got dtype bool; expected int32, float32 or float64)`);
    }
  });

  it('wants a tensor', () => {
    expect(() => exp(2 as unknown as Tensor)).toThrow(TypeError);
    expect(() => exp(2 as unknown as Tensor)).toThrow('exp: expected input to be a Tensor, got number');
    expect(() => square(null as unknown as Tensor)).toThrow('square: expected input to be a Tensor, got null');
  });
});
