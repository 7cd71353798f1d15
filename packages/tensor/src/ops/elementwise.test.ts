import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DType,
  type GradientRecorder,
  DTypeError,
  ShapeError,
  Tensor,
  add,
  arange,
  clamp,
  div,
  eq,
  gradientRecorder,
  gt,
  installGradientRecorder,
  maximum,
  minimum,
  mul,
  pow,
  resultType,
  sub,
  tensor,
  where,
} from '../index.js';
import {
  type Layout,
  broadcastCase,
  integerValues,
  laidOut,
  layouts,
  naiveElementwise,
  numel,
  storedAs,
  valuesOf,
} from './elementwise-test-support.js';

const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });
const float64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });

describe('broadcasting binary ops against a naive reference', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number, DType][] = [
    ['add', (a, b) => add(a, b), (x, y) => x + y, 'float32'],
    ['add alpha', (a, b) => add(a, b, { alpha: -3 }), (x, y) => x - 3 * y, 'float32'],
    ['sub', (a, b) => sub(a, b), (x, y) => x - y, 'float32'],
    ['mul', (a, b) => mul(a, b), (x, y) => x * y, 'float32'],
    ['div', (a, b) => div(a, b), (x, y) => x / y, 'float32'],
    ['div floor', (a, b) => div(a, b, { roundingMode: 'floor' }), (x, y) => Math.floor(x / y), 'int32'],
    ['maximum', (a, b) => maximum(a, b), (x, y) => Math.max(x, y), 'float32'],
    ['minimum', (a, b) => minimum(a, b), (x, y) => Math.min(x, y), 'int32'],
    ['pow', (a, b) => pow(a, b), (x, y) => x ** Math.abs(y), 'float64'],
  ];
  for (const [name, op, reference, dtype] of cases) {
    it(`${name}: shape follows the broadcast rule and values match, for any layout`, () => {
      fc.assert(
        fc.property(broadcastCase(2), fc.constantFrom(...layouts), fc.constantFrom(...layouts), ({ shapes, seed }, first, second) => {
          const [shapeA, shapeB] = shapes as [number[], number[]];
          const valuesA = integerValues(numel(shapeA), seed);
          const valuesB = integerValues(numel(shapeB), seed + 1, true).map((value) => (name === 'pow' ? Math.abs(value) % 4 : value));
          const expected = naiveElementwise(
            [
              { shape: shapeA, values: valuesA },
              { shape: shapeB, values: valuesB },
            ],
            reference,
          );
          const a = laidOut(valuesA, shapeA, dtype, first, expected.shape);
          const b = laidOut(valuesB, shapeB, dtype, second, expected.shape);
          const result = op(a, b);
          expect(result.shape).toEqual(expected.shape);
          expect(result.isContiguous()).toBe(true);
          expect(valuesOf(result)).toEqual(storedAs(result.dtype, expected.values));
          // A non-contiguous input gives exactly what its contiguous copy gives.
          expect(valuesOf(op(a.contiguous(), b.contiguous()))).toEqual(valuesOf(result));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('where broadcasts condition, input and other together', () => {
    fc.assert(
      fc.property(broadcastCase(3), fc.constantFrom<Layout>(...layouts), ({ shapes, seed }, layout) => {
        const [shapeC, shapeA, shapeB] = shapes as [number[], number[], number[]];
        const condition = integerValues(numel(shapeC), seed).map((value) => (value > 0 ? 1 : 0));
        const valuesA = integerValues(numel(shapeA), seed + 1);
        const valuesB = integerValues(numel(shapeB), seed + 2);
        const expected = naiveElementwise(
          [
            { shape: shapeC, values: condition },
            { shape: shapeA, values: valuesA },
            { shape: shapeB, values: valuesB },
          ],
          (c, x, y) => (c !== 0 ? x : y),
        );
        const result = where(
          laidOut(condition, shapeC, 'bool', layout, expected.shape),
          laidOut(valuesA, shapeA, 'int32', layout, expected.shape),
          laidOut(valuesB, shapeB, 'float32', 'contiguous', expected.shape),
        );
        expect(result.shape).toEqual(expected.shape);
        expect(result.dtype).toBe('float32');
        expect(valuesOf(result)).toEqual(expected.values);
      }),
      { numRuns: 150 },
    );
  });

  it('clamp with tensor bounds broadcasts all three', () => {
    fc.assert(
      fc.property(broadcastCase(3), ({ shapes, seed }) => {
        const [shapeX, shapeLow, shapeHigh] = shapes as [number[], number[], number[]];
        const values = integerValues(numel(shapeX), seed);
        const low = integerValues(numel(shapeLow), seed + 1);
        const high = integerValues(numel(shapeHigh), seed + 2);
        const expected = naiveElementwise(
          [
            { shape: shapeX, values },
            { shape: shapeLow, values: low },
            { shape: shapeHigh, values: high },
          ],
          (x, lo, hi) => Math.min(Math.max(x, lo), hi),
        );
        const result = clamp(tensor(values, { shape: shapeX }), tensor(low, { shape: shapeLow }), tensor(high, { shape: shapeHigh }));
        expect(result.shape).toEqual(expected.shape);
        expect(valuesOf(result)).toEqual(expected.values);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a transposed, sliced or expanded operand where it lies', () => {
    const a = arange(12).reshape(3, 4);
    expect(add(a.t(), tensor([100, 200, 300])).tolist()).toEqual([
      [100, 204, 308],
      [101, 205, 309],
      [102, 206, 310],
      [103, 207, 311],
    ]);
    expect(mul(a.slice(1, 1, 4, 2), a.slice(0, 0, 1).expand(3, 4).slice(1, 0, 2)).tolist()).toEqual([
      [0, 3],
      [0, 7],
      [0, 11],
    ]);
    expect(add(tensor(5), tensor([[1], [2]])).tolist()).toEqual([[6], [7]]);
    expect(add(tensor([]), tensor([1])).shape).toEqual([0]);
  });
});

describe('dtype promotion (PyTorch result_type; int64 maps to int32)', () => {
  // From torch.result_type in PyTorch 1.13, rows = first operand, columns = second:
  // b bool, i int32, f float32, d float64; '-' = two scalars.
  const columns = ['bool[2]', 'int32[2]', 'float32[2]', 'float64[2]', 'bool[]', 'int32[]', 'float32[]', 'float64[]', 'true', '2', '2.5'];
  const table: [string, string][] = [
    ['bool[2]', 'b i f d b i f d b i f'],
    ['int32[2]', 'i i f d i i f d i i f'],
    ['float32[2]', 'f f f d f f f f f f f'],
    ['float64[2]', 'd d d d d d d d d d d'],
    ['bool[]', 'b i f d b i f d b i f'],
    ['int32[]', 'i i f d i i f d i i f'],
    ['float32[]', 'f f f d f f f d f f f'],
    ['float64[]', 'd d f d d d d d d d d'],
    ['true', 'b i f d b i f d - - -'],
    ['2', 'i i f d i i f d - - -'],
    ['2.5', 'f f f d f f f d - - -'],
  ];
  const letters: Record<string, DType> = { b: 'bool', i: 'int32', f: 'float32', d: 'float64' };
  const operand = (label: string): Tensor | number | boolean => {
    if (label === 'true') return true;
    if (label === '2') return 2;
    if (label === '2.5') return 2.5;
    const dtype = label.slice(0, label.indexOf('[')) as DType;
    return label.endsWith('[]') ? tensor(1, { dtype }) : tensor([1, 1], { dtype });
  };
  for (const [row, cells] of table) {
    it(`${row} with each operand kind`, () => {
      cells.split(' ').forEach((cell, column) => {
        if (cell === '-') return;
        const a = operand(row);
        const b = operand(columns[column]!);
        const expected = letters[cell]!;
        const context = `${row} with ${columns[column]}`;
        expect(resultType(a, b), context).toBe(expected);
        expect(add(a, b).dtype, context).toBe(expected);
        expect(mul(a, b).dtype, context).toBe(expected);
        expect(maximum(a, b).dtype, context).toBe(expected);
        expect(where(tensor([true, false]), a, b).dtype, context).toBe(expected);
        expect(div(a, b).dtype, context).toBe(expected === 'float64' ? 'float64' : 'float32');
      });
    });
  }

  it('keeps the dtypes PyTorch gives its special cases', () => {
    expect(div(int32([7]), tensor(2, { dtype: 'float64' })).dtype).toBe('float64');
    expect(div(int32([7]), 2, { roundingMode: 'trunc' }).dtype).toBe('int32');
    expect(pow(2, int32([3])).dtype).toBe('int32');
    expect(pow(2.5, int32([3])).dtype).toBe('float32');
    expect(pow(int32([3]), tensor(2, { dtype: 'float64' })).dtype).toBe('float64');
    expect(pow(tensor([true]), 2).dtype).toBe('int32');
    expect(mul(tensor([true]), 2).dtype).toBe('int32');
    expect(clamp(int32([1]), { min: 0.5 }).dtype).toBe('float32');
    expect(clamp(int32([1]), 0, 2).dtype).toBe('int32');
    expect(clamp(tensor([true]), 0, 1).dtype).toBe('int32');
    expect(clamp(tensor([true]), tensor([false])).dtype).toBe('bool');
    expect(clamp(int32([1]), tensor([0.5])).dtype).toBe('float32');
    expect(where(tensor([true]), 1, 0).dtype).toBe('int32');
    expect(where(tensor([true]), 1.5, 0).dtype).toBe('float32');
  });

  it('casts a scalar to the common dtype first, as PyTorch does', () => {
    // 0.1 becomes float32(0.1) against a float32 tensor, so this is exactly equal.
    expect(eq(tensor([0.1]), 0.1).tolist()).toEqual([true]);
    // ... and 2 ** 31 wraps to int32 against an int32 tensor (PyTorch gives [-2147483647]).
    expect(add(int32([1]), 2 ** 31).tolist()).toEqual([-2147483647]);
    // float32 holds 2 ** 40 but not 2 ** 40 + 1 (PyTorch gives [1099511627776.0]).
    expect(add(tensor([1]), 2 ** 40).tolist()).toEqual([2 ** 40]);
  });
});

describe('exact integer and bool arithmetic (PyTorch semantics)', () => {
  it('wraps int32 sums, products and powers like PyTorch', () => {
    expect(add(int32([2147483647]), 1).tolist()).toEqual([-2147483648]);
    expect(mul(int32([2147483647, 65536]), int32([2147483647, 65536])).tolist()).toEqual([1, 0]);
    expect(add(int32([1]), int32([2 ** 30]), { alpha: 4 }).tolist()).toEqual([1]);
    expect(sub(int32([10, -10]), int32([3, 3]), { alpha: 2 }).tolist()).toEqual([4, -16]);
    expect(pow(int32([3]), 40).tolist()).toEqual([689956897]);
    expect(pow(int32([2, 1, -1, 0, -1]), int32([-1, -2, -3, -1, -2])).tolist()).toEqual([0, 1, -1, 0, 1]);
    expect(pow(int32([2, -3, 0, 5]), int32([10, 3, 0, 1])).tolist()).toEqual([1024, -27, 1, 5]);
  });

  it('divides integers with each rounding mode', () => {
    const a = int32([7, -7, 7, -7]);
    const b = int32([2, 2, -2, -2]);
    expect(div(a, b).tolist()).toEqual([3.5, -3.5, -3.5, 3.5]);
    expect(div(a, b, { roundingMode: 'trunc' }).tolist()).toEqual([3, -3, -3, 3]);
    expect(div(a, b, { roundingMode: 'floor' }).tolist()).toEqual([3, -4, -4, 3]);
    expect(div(int32([1, 0, -1]), 0).tolist()).toEqual([Infinity, NaN, -Infinity]);
  });

  it('rounds float division like PyTorch, signed zeros and infinities included', () => {
    const a = tensor([7, -7, 7, -7, 5, 0, -0, 1, -1]);
    const b = tensor([2, 2, -2, -2, 0, 3, 3, Infinity, Infinity]);
    const floored = valuesOf(div(a, b, { roundingMode: 'floor' }));
    expect(floored).toEqual([3, -4, -4, 3, Infinity, 0, -0, 0, -1]);
    expect(Object.is(floored[6], -0)).toBe(true);
    const truncated = valuesOf(div(tensor([-1, 1]), tensor([3, -3]), { roundingMode: 'trunc' }));
    expect(truncated.map((value) => Object.is(value, -0))).toEqual([true, true]);
  });

  it('treats bool add as or, mul as and, maximum as or', () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    expect(add(a, b).tolist()).toEqual([true, true, true, false]);
    expect(add(a, b, { alpha: 0 }).tolist()).toEqual([true, true, false, false]);
    expect(mul(a, b).tolist()).toEqual([true, false, false, false]);
    expect(maximum(a, b).tolist()).toEqual([true, true, true, false]);
    expect(minimum(a, b).tolist()).toEqual([true, false, false, false]);
    expect(add(a, 2).tolist()).toEqual([3, 3, 2, 2]);
  });

  it('propagates NaN through maximum and minimum and keeps the first operand on signed-zero ties', () => {
    expect(valuesOf(maximum(tensor([NaN, 1]), tensor([1, NaN])))).toEqual([NaN, NaN]);
    expect(valuesOf(minimum(tensor([NaN, 1]), tensor([1, NaN])))).toEqual([NaN, NaN]);
    // PyTorch 1.13: maximum([-0., 0.], [0., -0.]) is [-0., 0.]; minimum the same.
    expect(valuesOf(maximum(tensor([-0, 0]), tensor([0, -0]))).map((value) => Object.is(value, -0))).toEqual([true, false]);
    expect(valuesOf(minimum(tensor([-0, 0]), tensor([0, -0]))).map((value) => Object.is(value, -0))).toEqual([true, false]);
  });

  it("follows C's pow where JavaScript's differs", () => {
    const result = pow(float64([1, -1, -1, NaN, 0, 0, 2]), float64([NaN, Infinity, -Infinity, 0, -1, 0, 0.5]));
    expect(valuesOf(result)).toEqual([1, 1, 1, 1, Infinity, 1, Math.SQRT2]);
  });

  it('clamps like PyTorch: max wins over min, a NaN number bound is ignored, a NaN tensor bound propagates', () => {
    expect(clamp(tensor([1, 5]), 3, 2).tolist()).toEqual([2, 2]);
    expect(valuesOf(clamp(tensor([1, NaN]), { min: NaN }))).toEqual([1, NaN]);
    expect(valuesOf(clamp(tensor([1, NaN, 3]), { min: tensor([NaN, 0, 5]), max: tensor([0, 0, 4]) }))).toEqual([NaN, NaN, 4]);
    expect(clamp(tensor([-2, 0.5, 7]), { max: 1 }).tolist()).toEqual([-2, 0.5, 1]);
    expect(clamp(tensor([-2, 0.5, 7]), -1).tolist()).toEqual([-1, 0.5, 7]);
    expect(clamp(arange(6).reshape(2, 3), { min: tensor([[1], [4]]), max: 4 }).tolist()).toEqual([
      [1, 1, 2],
      [4, 4, 4],
    ]);
  });

  it('takes a scalar on either side', () => {
    expect(sub(10, tensor([1, 2])).tolist()).toEqual([9, 8]);
    expect(div(1, tensor([4, 8])).tolist()).toEqual([0.25, 0.125]);
    expect(pow(2, tensor([3, 0.5])).tolist()).toEqual([8, Math.fround(Math.SQRT2)]);
    expect(tensor([1, 2]).add(1).mul(2).sub(tensor([1]), { alpha: 2 }).div(2).tolist()).toEqual([1, 2]);
    expect(tensor([1, -5]).where(tensor([true, false]), 0).tolist()).toEqual([1, 0]);
  });
});

describe('bad inputs', () => {
  it('names the op and both shapes when shapes do not broadcast', () => {
    expect(() => add(tensor([[1, 2, 3]]), tensor([1, 2, 3, 4]))).toThrow(ShapeError);
    expect(() => add(arange(6).reshape(2, 3), arange(4))).toThrow('add: shapes [2, 3] and [4] cannot be broadcast (size 3 != 4 at dimension 1)');
    expect(() => mul(arange(2), arange(3))).toThrow('mul: shapes [2] and [3] cannot be broadcast (size 2 != 3 at dimension 0)');
    expect(() => where(tensor([true, false]), arange(3), 0)).toThrow('where: shapes [2] and [3] cannot be broadcast (size 2 != 3 at dimension 0)');
    expect(() => clamp(arange(3), tensor([0, 1]))).toThrow('clamp: shapes [3] and [2] cannot be broadcast (size 3 != 2 at dimension 0)');
  });

  it('refuses bool subtraction and bool powers as PyTorch does', () => {
    const mask = tensor([true, false]);
    expect(() => sub(mask, mask)).toThrow(DTypeError);
    expect(() => sub(mask, mask)).toThrow('sub: subtraction of two bool tensors is not supported; use logicalXor() instead');
    expect(() => sub(mask, 1)).toThrow(
      'sub: subtraction with a bool tensor is not supported (got bool and number); to invert a mask, use logicalNot() instead',
    );
    expect(() => sub(int32([1, 2]), mask)).toThrow(
      'sub: subtraction with a bool tensor is not supported (got int32 and bool); to invert a mask, use logicalNot() instead',
    );
    expect(() => pow(mask, mask)).toThrow('pow: not supported for bool tensors (got bool and bool; expected int32, float32 or float64)');
  });

  it('checks alpha, rounding modes and integer division', () => {
    expect(() => add(int32([1]), int32([1]), { alpha: 2.5 })).toThrow(DTypeError);
    expect(() => add(int32([1]), int32([1]), { alpha: 2.5 })).toThrow('add: alpha must be an integer for integer tensors, got 2.5');
    expect(add(int32([1]), tensor([1]), { alpha: 2.5 }).tolist()).toEqual([3.5]);
    expect(() => add(tensor([1]), tensor([1]), { alpha: '2' as unknown as number })).toThrow('add: expected alpha to be a number, got string');
    expect(() => div(tensor([1]), 2, { roundingMode: 'round' as 'floor' })).toThrow(RangeError);
    expect(() => div(tensor([1]), 2, { roundingMode: 'round' as 'floor' })).toThrow(
      "div: expected roundingMode to be null, 'trunc' or 'floor', got 'round'",
    );
    expect(() => div(tensor([true]), tensor([true]), { roundingMode: 'floor' })).toThrow(
      "div: roundingMode 'floor' is not supported for bool tensors (expected int32, float32 or float64)",
    );
    expect(() => div(int32([1, 2]), int32([1, 0]), { roundingMode: 'trunc' })).toThrow(RangeError);
    expect(() => div(int32([1, 2]), int32([1, 0]), { roundingMode: 'floor' })).toThrow('div: integer division by zero (ZeroDivisionError)');
    expect(() => pow(int32([2]), -1)).toThrow(RangeError);
    expect(() => pow(int32([2]), -1)).toThrow('pow: integers to negative integer powers are not allowed (got exponent -1 for an int32 tensor)');
  });

  it('checks operand kinds, the where condition and clamp bounds', () => {
    expect(() => add(tensor([1]), [1, 2] as unknown as number)).toThrow(TypeError);
    expect(() => add(tensor([1]), [1, 2] as unknown as number)).toThrow('add: expected other to be a Tensor, a number or a boolean, got an array');
    expect(() => mul('x' as unknown as number, tensor([1]))).toThrow('mul: expected input to be a Tensor, a number or a boolean, got string');
    expect(() => where(int32([1]), tensor([1]), tensor([2]))).toThrow(DTypeError);
    expect(() => where(int32([1]), tensor([1]), tensor([2]))).toThrow('where: expected condition to be a bool tensor, got dtype int32');
    expect(() => where(true as unknown as Tensor, tensor([1]), 0)).toThrow('where: expected condition to be a bool Tensor, got boolean');
    expect(() => clamp(tensor([1]))).toThrow(TypeError);
    expect(() => clamp(tensor([1]))).toThrow("clamp: at least one of 'min' or 'max' must be given");
    expect(() => clamp(tensor([1]), { min: null, max: null })).toThrow("clamp: at least one of 'min' or 'max' must be given");
    expect(() => clamp(tensor([1]), 0, '1' as unknown as number)).toThrow('clamp: expected max to be a Tensor, a number or null, got string');
  });
});

describe('gradient recording', () => {
  const previous = gradientRecorder();
  afterEach(() => {
    if (previous !== null) installGradientRecorder(previous);
  });

  function recording(): { name: string; inputs: readonly Tensor[]; output: Tensor; attributes: unknown }[] {
    const calls: { name: string; inputs: readonly Tensor[]; output: Tensor; attributes: unknown }[] = [];
    const recorder: GradientRecorder = {
      record: (name, inputs, output, attributes) => calls.push({ name, inputs, output, attributes }),
      backward: () => undefined,
      rebase: (tensor, source) => tensor.setGradientNode(source.gradFn),
      observe: () => undefined,
    };
    installGradientRecorder(recorder);
    return calls;
  }

  it('records differentiable binary ops with scalar operands as 0-d tensors', () => {
    const calls = recording();
    const x = tensor([1, 2], { requiresGrad: true });
    const y = add(x, 3, { alpha: 2 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.name).toBe('add');
    expect(calls[0]!.inputs[0]).toBe(x);
    expect(calls[0]!.inputs[1]!.shape).toEqual([]);
    expect(calls[0]!.inputs[1]!.requiresGrad).toBe(false);
    expect(calls[0]!.inputs[1]!.item()).toBe(3);
    expect(calls[0]!.output).toBe(y);
    expect(calls[0]!.attributes).toEqual({ alpha: 2 });
    div(x, 2, { roundingMode: 'floor' });
    sub(1, x);
    where(tensor([true, false]), x, 0);
    clamp(x, { min: tensor([0, 0]), max: 1 });
    expect(calls.map((call) => call.name)).toEqual(['add', 'div', 'sub', 'where', 'clamp']);
    expect(calls[1]!.attributes).toEqual({ roundingMode: 'floor' });
    expect(calls[2]!.attributes).toEqual({ alpha: 1 });
    expect(calls[3]!.inputs).toHaveLength(3);
    expect(calls[4]!.inputs).toHaveLength(2);
    expect(calls[4]!.attributes).toEqual({ min: 'tensor', max: 1 });
  });

  it('records nothing for inputs without grad, and nothing for comparisons', () => {
    const calls = recording();
    add(tensor([1]), tensor([2]));
    gt(tensor([1], { requiresGrad: true }), 0);
    expect(calls).toHaveLength(0);
  });
});
