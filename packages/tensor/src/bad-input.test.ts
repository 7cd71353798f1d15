import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  Generator,
  ShapeError,
  Storage,
  Tensor,
  abs,
  add,
  all,
  allclose,
  allocate,
  any,
  bmm,
  broadcastShapes,
  ceil,
  clamp,
  clamp_,
  clone,
  contiguous,
  cos,
  div,
  elu,
  empty,
  eq,
  equal,
  exp,
  expand,
  expandAs,
  expm1,
  eye,
  fill_,
  flatten,
  floor,
  formatTensor,
  full,
  fullLike,
  ge,
  getKernel,
  gt,
  hardsigmoid,
  hardswish,
  isclose,
  isfinite,
  isinf,
  isnan,
  le,
  leakyRelu,
  linspace,
  log,
  log1p,
  log2,
  logSigmoid,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  logsumexp,
  lt,
  manualSeed,
  maskedFill_,
  matmul,
  maximum,
  minimum,
  mish,
  mm,
  mul,
  ne,
  neg_,
  normalizeDim,
  ones,
  onesLike,
  pow,
  pow_,
  promoteTypes,
  randLike,
  randn,
  randnLike,
  randperm,
  reciprocal,
  registerKernel,
  relu,
  relu6,
  relu_,
  resultType,
  round,
  rsqrt,
  selu,
  setGradEnabled,
  sigmoid,
  sign,
  silu,
  sin,
  softplus,
  softsign,
  sqrt,
  square,
  squeeze,
  sub,
  sub_,
  tanh,
  tanhshrink,
  tensor,
  threshold,
  to,
  trunc,
  unsqueeze,
  variance,
  where,
  zero_,
  zeros,
  zerosLike,
} from './index.js';
import { expectRejected } from './ops/in-place-test-support.js';

// Bad input for every public function of @strata/tensor that other test files
// do not already pin: each case names the error class and the exact message
// (the op, what it expected and what it got).

const floats = (shape: number[]): Tensor => zeros(shape);
const ints = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });
const bools = (values: boolean[]): Tensor => tensor(values);
/** A value of the wrong kind, as untyped JavaScript could pass it. */
const notATensor = 3 as unknown as Tensor;

describe('creation', () => {
  it('rejects bad shapes, sizes and dtypes', () => {
    expect(() => empty([-1])).toThrow(new RangeError('empty: shape must hold non-negative integers, got [-1]'));
    expect(() => ones([2, 1.5])).toThrow(new RangeError('ones: shape must hold non-negative integers, got [2, 1.5]'));
    expect(() => full([2], 1, { dtype: 'float16' as never })).toThrow(
      new DTypeError("full: unknown dtype 'float16' (expected float32, float64, int32 or bool)"),
    );
    expect(() => eye(-1)).toThrow(new RangeError('eye: shape must hold non-negative integers, got [-1, -1]'));
    expect(() => eye(2, 1.5)).toThrow(new RangeError('eye: shape must hold non-negative integers, got [2, 1.5]'));
    expect(() => linspace(0, 1, -1)).toThrow(new RangeError('linspace: number of steps must be non-negative, got -1'));
    expect(() => linspace(0, 1, 3, { dtype: 'x' as never })).toThrow(
      new DTypeError("linspace: unknown dtype 'x' (expected float32, float64, int32 or bool)"),
    );
    expect(() => randn([2], { dtype: 'int32' })).toThrow(new DTypeError('randn: expected a floating point dtype, got int32'));
    expect(() => randn([-2])).toThrow(new RangeError('randn: shape must hold non-negative integers, got [-2]'));
    expect(() => randperm(-1)).toThrow(new RangeError('randperm: n must be a non-negative integer, got -1'));
    expect(() => randperm(2.5)).toThrow(new RangeError('randperm: n must be a non-negative integer, got 2.5'));
    expect(() => randperm(3, { dtype: 'bool' })).toThrow(
      new DTypeError('randperm: not implemented for dtype bool (expected int32, float32 or float64)'),
    );
  });

  it('*Like functions need a tensor and keep their own op name in errors', () => {
    expect(() => zerosLike(notATensor)).toThrow(new TypeError('zerosLike: expected like to be a Tensor, got number'));
    expect(() => onesLike(null as unknown as Tensor)).toThrow(new TypeError('onesLike: expected like to be a Tensor, got null'));
    expect(() => fullLike(floats([2]), 1, { dtype: 'x' as never })).toThrow(
      new DTypeError("fullLike: unknown dtype 'x' (expected float32, float64, int32 or bool)"),
    );
    expect(() => randLike(ints([1]))).toThrow(new DTypeError('randLike: expected a floating point dtype, got int32'));
    expect(() => randnLike(bools([true]))).toThrow(new DTypeError('randnLike: expected a floating point dtype, got bool'));
  });

  it('seeds only with finite numbers and restores only whole states', () => {
    expect(() => manualSeed(Number.NaN)).toThrow(new RangeError('manualSeed: seed must be a finite number, got NaN'));
    expect(() => new Generator().setState([1, 2])).toThrow(new RangeError('Generator.setState: expected 5 numbers, got 2'));
    expect(() => new Generator(Number.POSITIVE_INFINITY)).toThrow(
      new RangeError('Generator.manualSeed: seed must be a finite number, got Infinity'),
    );
  });
});

describe('storage, tensors and dtypes', () => {
  it('checks the typed array and the shape a tensor is built from', () => {
    expect(() => new Storage(new Int16Array(2) as never)).toThrow(
      new TypeError('Storage: expected a Float32Array, Float64Array, Int32Array or Uint8Array, got Int16Array'),
    );
    expect(() => Tensor.fromData(new Float32Array(3), [2])).toThrow(
      new ShapeError('Tensor.fromData: shape [2] holds 2 elements, but the data has 3'),
    );
    expect(() => floats([2]).size(1)).toThrow(new RangeError('size: dimension out of range (expected to be in range of [-1, 0], but got 1)'));
  });

  it('refuses unknown dtypes and bad lengths in the dtype helpers', () => {
    expect(() => allocate('float16' as never, 2)).toThrow(
      new DTypeError("allocate: unknown dtype 'float16' (expected float32, float64, int32 or bool)"),
    );
    expect(() => allocate('float32', -1)).toThrow(new RangeError('allocate: length must be a non-negative integer, got -1'));
    expect(() => promoteTypes('int64' as never, 'float32')).toThrow(
      new DTypeError("promoteTypes: unknown dtype 'int64' (expected float32, float64, int32 or bool)"),
    );
    expect(() => resultType(floats([1]), 'a' as never)).toThrow(
      new TypeError('resultType: expected operand 1 to be a Tensor, a number or a boolean, got string'),
    );
    expect(() => clone(notATensor)).toThrow(new TypeError('clone: expected input to be a Tensor, got number'));
    expect(() => contiguous(null as unknown as Tensor)).toThrow(new TypeError('contiguous: expected input to be a Tensor, got null'));
    expect(() => to(notATensor, 'float32')).toThrow(new TypeError('to: expected input to be a Tensor, got number'));
    expect(() => to(floats([1]), 'int64' as never)).toThrow(
      new DTypeError("to: unknown dtype 'int64' (expected float32, float64, int32 or bool)"),
    );
  });

  it('names the op and both shapes in the shape helpers', () => {
    expect(() => broadcastShapes([2, 3], [4], 'myOp')).toThrow(
      new ShapeError('myOp: shapes [2, 3] and [4] cannot be broadcast (size 3 != 4 at dimension 1)'),
    );
    expect(() => normalizeDim(2, 2, 'myOp')).toThrow(
      new RangeError('myOp: dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    );
  });

  it('gradient features need @strata/autograd, a float dtype and a tensor that requires grad', () => {
    expect(() => floats([1]).backward()).toThrow(
      new Error("backward: gradients need '@strata/autograd'; install it and import it once (import '@strata/autograd')"),
    );
    expect(() => ints([1]).requiresGrad_()).toThrow(
      new DTypeError('requiresGrad: only tensors of floating point dtype can require gradients, got int32'),
    );
    expect(() => floats([1]).retainGrad()).toThrow(new Error("retainGrad: can't retain the gradient of a tensor that does not require grad"));
    expect(() => floats([1]).registerHook(() => undefined)).toThrow(
      new Error("registerHook: can't register a hook on a tensor that doesn't require gradient"),
    );
    expect(() => setGradEnabled('yes' as never)).toThrow(new TypeError('setGradEnabled: expected a boolean, got string'));
  });
});

describe('views', () => {
  it('name the op and the bad dim or size', () => {
    expect(() => flatten(floats([2, 3, 4]), 2, 1)).toThrow(new RangeError('flatten: startDim (2) cannot come after endDim (1)'));
    expect(() => flatten(floats([2, 3]), 0, 5)).toThrow(
      new RangeError('flatten: dimension out of range (expected to be in range of [-2, 1], but got 5)'),
    );
    expect(() => squeeze(floats([2, 1]), 2)).toThrow(
      new RangeError('squeeze: dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    );
    expect(() => unsqueeze(floats([2]), 3)).toThrow(
      new RangeError('unsqueeze: dimension out of range (expected to be in range of [-2, 1], but got 3)'),
    );
    expect(() => expandAs(floats([3]), floats([2, 4]))).toThrow(
      new ShapeError(
        'expand: the expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1; target sizes [2, 4], tensor sizes [3]',
      ),
    );
  });

  it('expand refuses sizes that are neither non-negative integers nor -1', () => {
    expect(() => expand(floats([1]), [-2])).toThrow(
      new ShapeError('expand: invalid size -2 at dimension 0 of [-2] (expected a non-negative integer, or -1 to keep a size)'),
    );
    expect(() => expand(floats([1]), [2.5])).toThrow(
      new ShapeError('expand: invalid size 2.5 at dimension 0 of [2.5] (expected a non-negative integer, or -1 to keep a size)'),
    );
    expect(() => expand(floats([1]), [-1, 1])).toThrow(
      new ShapeError('expand: the expanded size -1 is not allowed in a leading, non-existing dimension 0'),
    );
  });
});

describe('elementwise math', () => {
  it('binary ops name themselves and both shapes when shapes do not broadcast', () => {
    const cases: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ['add', (a, b) => add(a, b)],
      ['sub', (a, b) => sub(a, b)],
      ['mul', mul],
      ['div', (a, b) => div(a, b)],
      ['pow', pow],
      ['maximum', maximum],
      ['minimum', minimum],
      ['eq', eq],
      ['ne', ne],
      ['lt', lt],
      ['le', le],
      ['gt', gt],
      ['ge', ge],
      ['logicalAnd', logicalAnd],
      ['logicalOr', logicalOr],
      ['logicalXor', logicalXor],
    ];
    for (const [name, op] of cases) {
      expect(() => op(floats([2, 3]), floats([4])), name).toThrow(
        new ShapeError(`${name}: shapes [2, 3] and [4] cannot be broadcast (size 3 != 4 at dimension 1)`),
      );
    }
  });

  it('reject bad dtypes, options and values', () => {
    expect(() => add(ints([1]), ints([1]), { alpha: 0.5 })).toThrow(
      new DTypeError('add: alpha must be an integer for integer tensors, got 0.5'),
    );
    expect(() => sub(bools([true]), floats([1]))).toThrow(
      new DTypeError(
        'sub: subtraction with a bool tensor is not supported (got bool and float32); to invert a mask, use logicalNot() instead',
      ),
    );
    expect(() => div(floats([2]), 1, { roundingMode: 'round' as never })).toThrow(
      new RangeError("div: expected roundingMode to be null, 'trunc' or 'floor', got 'round'"),
    );
    expect(() => div(ints([1]), 0, { roundingMode: 'trunc' })).toThrow(new RangeError('div: integer division by zero (ZeroDivisionError)'));
    expect(() => pow(bools([true]), true)).toThrow(
      new DTypeError('pow: not supported for bool tensors (got bool and bool; expected int32, float32 or float64)'),
    );
    expect(() => pow(ints([2]), -1)).toThrow(
      new RangeError('pow: integers to negative integer powers are not allowed (got exponent -1 for an int32 tensor)'),
    );
    expect(() => mul(floats([1]), 'a' as never)).toThrow(new TypeError('mul: expected other to be a Tensor, a number or a boolean, got string'));
  });

  it('where and clamp check their condition and bounds', () => {
    expect(() => where(floats([2]), floats([2]), floats([2]))).toThrow(
      new DTypeError('where: expected condition to be a bool tensor, got dtype float32'),
    );
    expect(() => where(bools([true, false]), floats([3]), 0)).toThrow(
      new ShapeError('where: shapes [2] and [3] cannot be broadcast (size 2 != 3 at dimension 0)'),
    );
    expect(() => clamp(floats([2]))).toThrow(new TypeError("clamp: at least one of 'min' or 'max' must be given"));
    expect(() => clamp(floats([2]), floats([3]))).toThrow(
      new ShapeError('clamp: shapes [2] and [3] cannot be broadcast (size 2 != 3 at dimension 0)'),
    );
    expect(() => clamp(floats([2]), 'a' as never)).toThrow(new TypeError('clamp: expected min to be a Tensor, a number or null, got string'));
  });

  it('unary ops refuse bool where PyTorch does, and anything that is not a tensor', () => {
    for (const [name, op] of [
      ['abs', abs],
      ['floor', floor],
      ['ceil', ceil],
      ['round', round],
      ['trunc', trunc],
    ] as const) {
      expect(() => op(bools([true])), name).toThrow(
        new DTypeError(`${name}: not supported for bool tensors (got dtype bool; expected int32, float32 or float64)`),
      );
    }
    for (const [name, op] of [
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
      ['sign', sign],
      ['square', square],
    ] as const) {
      expect(() => op([1, 2] as unknown as Tensor), name).toThrow(new TypeError(`${name}: expected input to be a Tensor, got an array`));
    }
  });
});

describe('comparisons', () => {
  it('predicates and equal need tensors; isclose needs one dtype and non-negative tolerances', () => {
    for (const [name, op] of [
      ['logicalNot', logicalNot],
      ['isnan', isnan],
      ['isinf', isinf],
      ['isfinite', isfinite],
    ] as const) {
      expect(() => op(notATensor), name).toThrow(new TypeError(`${name}: expected input to be a Tensor, got number`));
    }
    expect(() => equal(floats([1]), notATensor)).toThrow(new TypeError('equal: expected other to be a Tensor, got number'));
    expect(() => isclose(floats([1]), ints([1]))).toThrow(
      new DTypeError('isclose: expected both tensors to have the same dtype, got float32 and int32'),
    );
    expect(() => isclose(floats([1]), floats([1]), { rtol: -1 })).toThrow(
      new RangeError('isclose: rtol must be greater than or equal to zero, got -1'),
    );
    expect(() => allclose(floats([1]), floats([1]), { atol: -1 })).toThrow(
      new RangeError('allclose: atol must be greater than or equal to zero, got -1'),
    );
    expect(() => allclose(floats([2]), floats([3]))).toThrow(
      new ShapeError('allclose: shapes [2] and [3] cannot be broadcast (size 2 != 3 at dimension 0)'),
    );
  });
});

describe('reductions', () => {
  it('name the op and the bad dim or dtype', () => {
    expect(() => all(floats([2]), 1)).toThrow(new RangeError('all: dimension out of range (expected to be in range of [-1, 0], but got 1)'));
    expect(() => any(floats([2, 2]), [0, -2])).toThrow(new RangeError('any: dim 0 appears multiple times in the list of dims [0, -2]'));
    expect(() => logsumexp(floats([2]), 2)).toThrow(
      new RangeError('logsumexp: dimension out of range (expected to be in range of [-1, 0], but got 2)'),
    );
    expect(() => variance(ints([1, 2]))).toThrow(
      new DTypeError('var: std and var only support floating point dtypes (float32 or float64), got int32'),
    );
  });
});

describe('activations', () => {
  it('refuse the dtypes PyTorch refuses, naming the op', () => {
    for (const [name, op] of [
      ['relu', relu],
      ['relu6', relu6],
      ['softsign', softsign],
      ['tanhshrink', tanhshrink],
      ['threshold', (x: Tensor) => threshold(x, 0, 0)],
    ] as const) {
      expect(() => op(bools([true])), name).toThrow(new DTypeError(`${name}: bool inputs are not supported (expected float32, float64 or int32)`));
    }
    for (const [name, op] of [
      ['leakyRelu', (x: Tensor) => leakyRelu(x)],
      ['elu', (x: Tensor) => elu(x)],
      ['selu', selu],
      ['silu', silu],
      ['mish', mish],
      ['logSigmoid', logSigmoid],
      ['softplus', (x: Tensor) => softplus(x)],
      ['hardswish', hardswish],
      ['hardsigmoid', hardsigmoid],
    ] as const) {
      expect(() => op(ints([1])), name).toThrow(new DTypeError(`${name}: not implemented for 'int32' (expected float32 or float64)`));
    }
  });

  it('need a tensor', () => {
    expect(() => sigmoid(notATensor)).toThrow(new TypeError('sigmoid: expected input to be a Tensor, got number'));
    expect(() => tanh(notATensor)).toThrow(new TypeError('tanh: expected input to be a Tensor, got number'));
    expect(() => relu(notATensor)).toThrow(new TypeError('relu: expected input to be a Tensor, got number'));
    expect(() => silu(notATensor)).toThrow(new TypeError('silu: expected input to be a Tensor, got number'));
  });
});

describe('matrix products', () => {
  it('name their own op and both shapes', () => {
    expect(() => mm(floats([2, 3]), floats([4, 2]))).toThrow(new ShapeError('mm: shapes [2, 3] and [4, 2] cannot be multiplied (3 != 4)'));
    expect(() => bmm(floats([2, 2, 3]), floats([2, 4, 2]))).toThrow(
      new ShapeError('bmm: shapes [2, 2, 3] and [2, 4, 2] cannot be multiplied (3 != 4)'),
    );
    expect(() => bmm(floats([2, 3]), floats([2, 3, 2]))).toThrow(new ShapeError('bmm: expected 3-D tensors, got shapes [2, 3] and [2, 3, 2]'));
    expect(() => matmul(floats([2, 4, 3]), floats([3, 3, 2]))).toThrow(
      new ShapeError('matmul: shapes [2, 4, 3] and [3, 3, 2] cannot be multiplied (batch dimensions [2] and [3] do not broadcast)'),
    );
    expect(() => matmul(tensor(1), floats([2]))).toThrow(
      new ShapeError('matmul: both arguments to matmul need to be at least 1D, but they are 0D and 1D'),
    );
    expect(() => matmul(bools([true]), floats([1]))).toThrow(new DTypeError('matmul: expected numeric tensors, got bool and float32'));
  });
});

describe('kernel registry', () => {
  it('refuses duplicate registrations and names a missing kernel', () => {
    const kernel = getKernel('add');
    expect(() => registerKernel('add', kernel)).toThrow(new Error("registerKernel: backend 'cpu' already registered a kernel named 'add'"));
    expect(() => registerKernel('add', kernel, { backend: 'other' })).toThrow(
      new Error("registerKernel: a kernel named 'add' is already registered by backend 'cpu'; pass { override: true } to replace it"),
    );
    expect(() => getKernel('noSuchKernel' as 'add')).toThrow(new Error("getKernel: no kernel named 'noSuchKernel' is registered"));
  });
});

describe('in-place ops', () => {
  it('name themselves, not the out-of-place op they build on, and change nothing', () => {
    const x = tensor([1, 2, 3]);
    expectRejected(x, () => sub_(x, floats([2, 3])), new ShapeError("sub_: output with shape [3] doesn't match the broadcast shape [2, 3]"));
    expectRejected(x, () => pow_(x, floats([2, 3])), new ShapeError("pow_: output with shape [3] doesn't match the broadcast shape [2, 3]"));
    expectRejected(x, () => clamp_(x, floats([2, 3])), new ShapeError("clamp_: output with shape [3] doesn't match the broadcast shape [2, 3]"));
    expectRejected(x, () => clamp_(x), new TypeError("clamp_: at least one of 'min' or 'max' must be given"));
    expectRejected(x, () => clamp_(x, 'a' as never), new TypeError('clamp_: expected the bounds to be Tensors, numbers or null, got string'));
    expectRejected(x, () => fill_(x, 'a' as never), new TypeError('fill_: expected value to be a number, a boolean or a 0-d Tensor, got string'));
    expectRejected(x, () => maskedFill_(x, notATensor, 0), new TypeError('maskedFill_: expected mask to be a bool Tensor, got number'));
    const mask = bools([true, false]);
    expectRejected(
      mask,
      () => neg_(mask),
      new DTypeError('neg_: negation of a bool tensor is not supported (got dtype bool); to invert a mask, use logicalNot() instead'),
    );
    expectRejected(mask, () => relu_(mask), new DTypeError('relu_: bool inputs are not supported (expected float32, float64 or int32)'));
    const counts = ints([1, 2, 3]);
    expectRejected(counts, () => pow_(counts, 0.5), new DTypeError("pow_: result type float32 can't be cast to the desired output type int32"));
    expect(() => zero_(notATensor)).toThrow(new TypeError('zero_: expected self to be a Tensor, got number'));
  });
});

describe('printing', () => {
  it('formatTensor needs a tensor', () => {
    expect(() => formatTensor(notATensor)).toThrow(new TypeError('formatTensor: expected a Tensor, got number'));
  });
});
