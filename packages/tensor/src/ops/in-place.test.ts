import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { expectRejected } from './in-place-test-support.js';
import {
  DTypeError,
  Generator,
  ShapeError,
  Tensor,
  add,
  add_,
  addcdiv_,
  addcmul_,
  arange,
  clamp_,
  copy_,
  div_,
  exp_,
  fill_,
  manualSeed,
  maskedFill_,
  mul,
  mul_,
  neg_,
  normal_,
  pow_,
  rand,
  randn,
  relu_,
  setGradEnabled,
  sqrt_,
  sub_,
  tensor,
  uniform_,
  zero_,
  zeros,
} from '../index.js';

// No gradient recorder is installed in this file: these tests see the ops as
// @strata/tensor alone runs them. in-place-autograd.test.ts installs one.

afterEach(() => {
  setGradEnabled(true);
});

function floats(values: number[], shape: number[] = [values.length]): Tensor {
  return tensor(new Float32Array(values), { shape });
}

/** The float32 result of applying `f` to each element, as a float32 kernel stores it. */
function referenceFloat32(values: readonly number[], f: (x: number, i: number) => number): number[] {
  return values.map((x, i) => Math.fround(f(Math.fround(x), i)));
}

/** A transposed (non-contiguous) view with the given row-major values and shape [rows, columns]. */
function transposedView(values: number[], rows: number, columns: number): Tensor {
  const transposedValues: number[] = [];
  for (let c = 0; c < columns; c++) for (let r = 0; r < rows; r++) transposedValues.push(values[r * columns + c]!);
  return floats(transposedValues, [columns, rows]).t();
}

const finiteFloat = fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });

describe('in-place arithmetic values', () => {
  it('add_, sub_, mul_ and div_ match reference loops (scalar and broadcast operands)', () => {
    const values = [1.5, -2.25, 3.1, 0.7, -8, 10.3];
    const other = [0.3, -1.7, 2.9];
    const x = floats(values, [2, 3]);
    expect(add_(x, floats(other), { alpha: 0.5 })).toBe(x);
    expect(Array.from(x.toTypedArray())).toEqual(referenceFloat32(values, (v, i) => v + 0.5 * Math.fround(other[i % 3]!)));

    const y = floats(values);
    sub_(y, 0.1);
    expect(Array.from(y.toTypedArray())).toEqual(referenceFloat32(values, (v) => v - Math.fround(0.1)));

    const z = floats(values);
    mul_(z, floats([2.5]));
    expect(Array.from(z.toTypedArray())).toEqual(referenceFloat32(values, (v) => v * 2.5));

    const w = floats(values);
    div_(w, 3);
    expect(Array.from(w.toTypedArray())).toEqual(referenceFloat32(values, (v) => v / 3));
  });

  it('int32 tensors keep integer arithmetic', () => {
    // torch.tensor([7, -7], dtype=torch.int32).div_(2, rounding_mode='floor') -> [3, -4]
    expect(div_(tensor([7, -7], { dtype: 'int32' }), 2, { roundingMode: 'floor' }).tolist()).toEqual([3, -4]);
    // torch.tensor([1, 2, 3], dtype=torch.int32).add_(torch.tensor([True, False, True])) -> [2, 2, 4]
    expect(add_(tensor([1, 2, 3], { dtype: 'int32' }), tensor([true, false, true])).tolist()).toEqual([2, 2, 4]);
    expect(mul_(tensor([3, -4], { dtype: 'int32' }), 3).tolist()).toEqual([9, -12]);
    expect(neg_(tensor([5, -6], { dtype: 'int32' })).tolist()).toEqual([-5, 6]);
    expect(relu_(tensor([5, -6], { dtype: 'int32' })).tolist()).toEqual([5, 0]);
    expect(clamp_(tensor([-3, 0, 9], { dtype: 'int32' }), -1, 4).tolist()).toEqual([-1, 0, 4]);
  });

  it('pow_, clamp_, exp_, sqrt_, neg_ and relu_ match reference loops', () => {
    const values = [0.5, -1.5, 2, 4, -0.25];
    expect(Array.from(pow_(floats(values), 2).toTypedArray())).toEqual(referenceFloat32(values, (v) => v ** 2));
    // torch.tensor([2., 3.]).pow_(torch.tensor([3., 0.5])) -> [8.0000, 1.7321]
    expect(Array.from(pow_(floats([2, 3]), floats([3, 0.5])).toTypedArray())).toEqual([8, Math.fround(Math.sqrt(3))]);
    expect(Array.from(clamp_(floats(values), -1, 2).toTypedArray())).toEqual([0.5, -1, 2, 2, -0.25]);
    expect(Array.from(clamp_(floats(values), { min: 0 }).toTypedArray())).toEqual([0.5, 0, 2, 4, 0]);
    expect(Array.from(clamp_(floats(values), floats([0, 0, 0, 0, -1]), floats([1])).toTypedArray())).toEqual([0.5, 0, 1, 1, -0.25]);
    expect(Array.from(exp_(floats(values)).toTypedArray())).toEqual(referenceFloat32(values, Math.exp));
    expect(Array.from(sqrt_(floats([4, 2, 0])).toTypedArray())).toEqual(referenceFloat32([4, 2, 0], Math.sqrt));
    expect(Array.from(neg_(floats(values)).toTypedArray())).toEqual(values.map((v) => -v));
    expect(Array.from(relu_(floats(values)).toTypedArray())).toEqual([0.5, 0, 2, 4, 0]);
  });

  it('addcmul_ and addcdiv_ match reference loops', () => {
    const values = [1, 2, 3];
    const a = [0.1, 0.2, 0.3];
    const b = [3, 7, 11];
    const round = Math.fround;
    const x = addcmul_(floats(values), floats(a), floats(b), { value: 0.5 });
    expect(Array.from(x.toTypedArray())).toEqual(values.map((v, i) => round(v + 0.5 * round(round(a[i]!) * b[i]!))));
    const y = addcdiv_(floats(values), floats(a), floats(b), { value: -2 });
    expect(Array.from(y.toTypedArray())).toEqual(values.map((v, i) => round(v - 2 * round(round(a[i]!) / b[i]!))));
    // Broadcast tensors go through the out-of-place ops.
    const z = addcmul_(floats(values), floats([2]), floats(b));
    expect(z.tolist()).toEqual([7, 16, 25]);
  });

  it('writes through a strided view into its base, leaving other elements alone', () => {
    const base = arange(12).reshape(3, 4);
    const column = base.select(1, 2);
    add_(column, 100);
    expect(base.tolist()).toEqual([
      [0, 1, 102, 3],
      [4, 5, 106, 7],
      [8, 9, 110, 11],
    ]);
    const transposed = base.t();
    mul_(transposed, arange(3));
    expect(base.tolist()).toEqual([
      [0, 0, 0, 0],
      [4, 5, 106, 7],
      [16, 18, 220, 22],
    ]);
    expect(base.version).toBe(2);
  });

  it('in place equals out of place, on contiguous and strided tensors (property)', () => {
    fc.assert(
      fc.property(
        fc.array(finiteFloat, { minLength: 6, maxLength: 6 }),
        fc.array(finiteFloat, { minLength: 6, maxLength: 6 }),
        fc.float({ min: -4, max: 4, noNaN: true }),
        (values, others, alpha) => {
          const other = floats(others, [2, 3]);
          const expected = Array.from(add(floats(values, [2, 3]), other, { alpha }).toTypedArray());
          expect(Array.from(add_(floats(values, [2, 3]), other, { alpha }).toTypedArray())).toEqual(expected);
          expect(Array.from(add_(transposedView(values, 2, 3), other, { alpha }).toTypedArray())).toEqual(expected);
          const product = Array.from(mul(floats(values, [2, 3]), transposedView(others, 2, 3)).toTypedArray());
          expect(Array.from(mul_(floats(values, [2, 3]), transposedView(others, 2, 3)).toTypedArray())).toEqual(product);
        },
      ),
    );
  });

  it('fast loops agree with the out-of-place ops for every op and operand kind (property)', () => {
    const cases: [(x: Tensor, y: Tensor | number) => Tensor, (x: Tensor, y: Tensor | number) => Tensor][] = [
      [(x, y) => add_(x, y, { alpha: 1.5 }), (x, y) => add(x, y, { alpha: 1.5 })],
      [(x, y) => sub_(x, y), (x, y) => x.sub(y)],
      [(x, y) => sub_(x, y, { alpha: 0.3 }), (x, y) => x.sub(y, { alpha: 0.3 })],
      [(x, y) => mul_(x, y), (x, y) => mul(x, y)],
      [(x, y) => div_(x, y), (x, y) => x.div(y)],
    ];
    fc.assert(
      fc.property(
        fc.array(finiteFloat, { minLength: 6, maxLength: 6 }),
        fc.array(finiteFloat, { minLength: 6, maxLength: 6 }),
        fc.double({ min: -10, max: 10, noNaN: true }),
        (values, others, scalar) => {
          for (const [inPlace, outOfPlace] of cases) {
            for (const other of [floats(others, [2, 3]), scalar]) {
              const expected = Array.from(outOfPlace(floats(values, [2, 3]), other).toTypedArray());
              expect(Array.from(inPlace(floats(values, [2, 3]), other).toTypedArray())).toEqual(expected);
              expect(Array.from(inPlace(transposedView(values, 2, 3), other).toTypedArray())).toEqual(expected);
            }
          }
          const second = others.map((value) => value + 2000);
          const product = add(floats(values), mul(floats(others), floats(second)), { alpha: 0.5 });
          const quotient = add(floats(values), floats(others).div(floats(second)), { alpha: 0.5 });
          expect(Array.from(addcmul_(floats(values), floats(others), floats(second), { value: 0.5 }).toTypedArray())).toEqual(
            Array.from(product.toTypedArray()),
          );
          expect(Array.from(addcdiv_(floats(values), floats(others), floats(second), { value: 0.5 }).toTypedArray())).toEqual(
            Array.from(quotient.toTypedArray()),
          );
        },
      ),
    );
  });

  it('handles operands that alias self', () => {
    const x = floats([1, 2, 3]);
    mul_(x, x);
    expect(x.tolist()).toEqual([1, 4, 9]);
    // y[1:] += y[:-1] reads the old values, as the out-of-place sum would.
    const y = floats([1, 2, 3, 4]);
    add_(y.slice(0, 1), y.slice(0, 0, 3));
    expect(y.tolist()).toEqual([1, 3, 5, 7]);
    const z = floats([1, 2, 3, 4]);
    copy_(z.slice(0, 1), z.slice(0, 0, 3));
    expect(z.tolist()).toEqual([1, 1, 2, 3]);
  });
});

describe('fills and copies', () => {
  it('fill_ and zero_ convert the value to the dtype', () => {
    expect(fill_(zeros([2, 2]), 2.5).tolist()).toEqual([
      [2.5, 2.5],
      [2.5, 2.5],
    ]);
    expect(fill_(zeros([2], { dtype: 'int32' }), 2.7).tolist()).toEqual([2, 2]);
    expect(fill_(zeros([2], { dtype: 'bool' }), 3).tolist()).toEqual([true, true]);
    expect(fill_(zeros([2]), tensor(-1)).tolist()).toEqual([-1, -1]);
    const base = arange(6).reshape(2, 3);
    zero_(base.select(1, 1));
    expect(base.tolist()).toEqual([
      [0, 0, 2],
      [3, 0, 5],
    ]);
    expect(zeros([2]).fill_(7).zero_().tolist()).toEqual([0, 0]);
  });

  it('copy_ broadcasts and converts like torch.Tensor.copy_', () => {
    const x = zeros([2, 3]);
    copy_(x, floats([1, 2, 3]));
    expect(x.tolist()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    // torch.tensor([True, False]).copy_(torch.tensor([0.5, 0.])) -> [True, False]
    expect(copy_(tensor([false, true]), floats([0.5, 0])).tolist()).toEqual([true, false]);
    // torch.tensor([1, 2], dtype=torch.int32).copy_(torch.tensor([2.7, -2.7])) -> [2, -2]
    expect(copy_(tensor([1, 2], { dtype: 'int32' }), floats([2.7, -2.7])).tolist()).toEqual([2, -2]);
    const base = zeros([3, 2]);
    copy_(base.t(), arange(6).reshape(2, 3));
    expect(base.tolist()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  it('maskedFill_ fills where the mask is true', () => {
    const x = arange(6).reshape(2, 3);
    maskedFill_(x, tensor([true, false, true]), -1);
    expect(x.tolist()).toEqual([
      [-1, 1, -1],
      [-1, 4, -1],
    ]);
    expect(tensor([1, 2], { dtype: 'int32' }).maskedFill_(tensor([false, true]), tensor(9)).tolist()).toEqual([1, 9]);
  });
});

describe('random fills', () => {
  it('uniform_ and normal_ draw what rand and randn draw from the same seed', () => {
    manualSeed(42);
    const expectedUniform = Array.from(rand([7]).toTypedArray());
    const expectedNormal = Array.from(randn([7]).toTypedArray());
    manualSeed(42);
    expect(Array.from(uniform_(zeros([7])).toTypedArray())).toEqual(expectedUniform);
    expect(Array.from(normal_(zeros([7])).toTypedArray())).toEqual(expectedNormal);
  });

  it('scales to the range and parameters, from a given generator', () => {
    const reference = new Generator(7);
    const expected = Array.from({ length: 6 }, () => Math.fround(2 + 3 * reference.nextDouble()));
    const x = uniform_(zeros([2, 3]), 2, 5, { generator: new Generator(7) });
    expect(Array.from(x.toTypedArray())).toEqual(expected);
    const normalReference = new Generator(9);
    const expectedNormal = Array.from({ length: 4 }, () => -1 + 0.5 * normalReference.nextNormal());
    const y = normal_(zeros([4], { dtype: 'float64' }), -1, 0.5, { generator: new Generator(9) });
    expect(Array.from(y.toTypedArray())).toEqual(expectedNormal);
  });

  it('fills a strided view in row-major order of the view', () => {
    const base = zeros([3, 2]);
    uniform_(base.t(), 0, 1, { generator: new Generator(1) });
    const reference = new Generator(1);
    const drawn = Array.from({ length: 6 }, () => Math.fround(reference.nextDouble()));
    expect(base.t().tolist()).toEqual([drawn.slice(0, 3), drawn.slice(3)]);
  });
});

describe('versions and validation', () => {
  it('every op bumps the storage version once, shared with views', () => {
    const x = zeros([2, 3]);
    const view = x.select(0, 1);
    const ops: ((t: Tensor) => Tensor)[] = [
      (t) => t.add_(1),
      (t) => t.sub_(1, { alpha: 2 }),
      (t) => t.mul_(2),
      (t) => t.div_(2),
      (t) => t.pow_(2),
      (t) => t.addcmul_(floats([1, 2, 3]), floats([1, 2, 3])),
      (t) => t.addcdiv_(floats([1, 2, 3]), floats([1, 2, 3])),
      (t) => t.clamp_(0, 1),
      (t) => t.exp_(),
      (t) => t.sqrt_(),
      (t) => t.neg_(),
      (t) => t.relu_(),
      (t) => t.zero_(),
      (t) => t.fill_(1),
      (t) => t.copy_(floats([1, 2, 3])),
      (t) => t.uniform_(),
      (t) => t.normal_(),
      (t) => t.maskedFill_(tensor([true, false, true]), 0),
    ];
    ops.forEach((op, i) => {
      expect(op(view)).toBe(view);
      expect(x.version).toBe(i + 1);
      expect(view.version).toBe(i + 1);
    });
  });

  it('rejects bad input before writing, with pinned messages', () => {
    const x = floats([1, 2, 3]);
    expectRejected(x, () => add_(x, zeros([2, 3])), new ShapeError("add_: output with shape [3] doesn't match the broadcast shape [2, 3]"));
    expectRejected(x, () => mul_(x, zeros([2])), new ShapeError('mul_: shapes [3] and [2] cannot be broadcast (size 3 != 2 at dimension 0)'));
    expectRejected(
      x,
      () => addcmul_(x, zeros([2, 1]), zeros([3])),
      new ShapeError("addcmul_: output with shape [3] doesn't match the broadcast shape [2, 3]"),
    );
    expectRejected(x, () => copy_(x, zeros([4])), new ShapeError('copy_: shapes [3] and [4] cannot be broadcast (size 3 != 4 at dimension 0)'));
    expectRejected(
      x,
      () => maskedFill_(x, tensor([[true], [false]]), 0),
      new ShapeError("maskedFill_: output with shape [3] doesn't match the broadcast shape [2, 3]"),
    );
    expectRejected(x, () => maskedFill_(x, floats([1, 0, 1]), 0), new DTypeError('maskedFill_: expected mask to have dtype bool, got float32'));
    expectRejected(x, () => fill_(x, floats([1, 2])), new ShapeError('fill_: only supports a 0-dimensional value tensor, but got a tensor of shape [2]'));

    const ints = tensor([1, 2, 3], { dtype: 'int32' });
    expectRejected(ints, () => add_(ints, 0.5), new DTypeError("add_: result type float32 can't be cast to the desired output type int32"));
    expectRejected(ints, () => div_(ints, 2), new DTypeError("div_: result type float32 can't be cast to the desired output type int32"));
    expectRejected(ints, () => exp_(ints), new DTypeError("exp_: result type float32 can't be cast to the desired output type int32"));
    expectRejected(ints, () => uniform_(ints), new DTypeError('uniform_: expected a floating point tensor, got int32'));
    expectRejected(ints, () => normal_(ints), new DTypeError('normal_: expected a floating point tensor, got int32'));
    expectRejected(
      x,
      () => addcdiv_(x, ints, ints),
      new DTypeError('addcdiv_: integer division of tensors is not supported (got int32 and int32); use floating point tensors'),
    );
    const bools = tensor([true, false]);
    expectRejected(bools, () => add_(bools, 1), new DTypeError("add_: result type int32 can't be cast to the desired output type bool"));

    expectRejected(x, () => uniform_(x, 2, 1), new RangeError('uniform_: expected a finite range with low <= high, got low=2, high=1'));
    expectRejected(x, () => normal_(x, 0, -1), new RangeError('normal_: expected a finite mean and a finite std >= 0, got mean=0, std=-1'));
  });

  it('refuses to write an expanded view', () => {
    const x = floats([1, 2, 3]);
    const expanded = x.expand(2, 3);
    expectRejected(
      x,
      () => add_(expanded, 1),
      new ShapeError(
        'add_: unsupported operation: more than one element of the written-to tensor refers to a single memory location (an expanded view of shape [2, 3] and strides [0, 1]); clone() it first',
      ),
    );
  });

  it('applies the leaf rule in grad mode only', () => {
    const leaf = floats([1, 2], [2]).requiresGrad_();
    expectRejected(leaf, () => add_(leaf, 1), new Error('add_: a leaf Variable that requires grad is being used in an in-place operation.'));
    expectRejected(leaf, () => leaf.zero_(), new Error('zero_: a leaf Variable that requires grad is being used in an in-place operation.'));
    expectRejected(leaf, () => leaf.uniform_(), new Error('uniform_: a leaf Variable that requires grad is being used in an in-place operation.'));
    setGradEnabled(false);
    leaf.mul_(3).add_(1);
    expect(leaf.tolist()).toEqual([4, 7]);
    expect(leaf.version).toBe(2);
    expect(leaf.requiresGrad).toBe(true);
  });

  it('lets a detached tensor change the storage it shares', () => {
    const leaf = floats([1, 2], [2]).requiresGrad_();
    leaf.detach().fill_(5);
    expect(leaf.tolist()).toEqual([5, 5]);
    expect(leaf.version).toBe(1);
  });
});

describe('in-place ops on empty tensors', () => {
  it('copy_ and fill_ accept a zero-element tensor (its zero strides alias nothing)', () => {
    const target = zeros([3, 0]);
    expect(() => target.copy_(zeros([3, 0]))).not.toThrow();
    expect(target.fill_(1).shape).toEqual([3, 0]);
    expect(target.version).toBe(2);
  });
});
