/**
 * The conformance inputs of every kernel `@strata/tensor` declares: for each
 * kernel name, a function that draws one call's arguments (random shapes,
 * layouts and dtypes, varied by `round`). Kernels that write into an
 * argument list it in `IN_PLACE`; kernels that may decline (return false,
 * having written nothing) in `DECLINABLE`.
 */
import type { DType } from '../dtype.js';
import type { KernelName } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { OPERAND_LAYOUTS, type OperandLayout, type OperandSource } from './operands.js';

/** Draws one call's arguments for a kernel. */
export type ArgumentDraw = (source: OperandSource, round: number) => unknown[];

const FLOATS: readonly DType[] = ['float32', 'float64'];
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int32'];

function pick<T>(items: readonly T[], round: number): T {
  return items[round % items.length]!;
}

function layoutOf(round: number): OperandLayout {
  return pick(OPERAND_LAYOUTS, round);
}

/** A writable layout (no broadcast: one element would be written twice). */
function writableLayout(round: number): OperandLayout {
  return pick(['contiguous', 'offset', 'transposed', 'strided'] as const, round);
}

/** A random rank-1…3 operand of `dtype`. */
function operand(source: OperandSource, round: number, dtype: DType): Tensor {
  return source.tensor(source.shape(1 + (round % 3)), dtype, layoutOf(round));
}

/** Two operands of one shape (the second in another layout). */
function pair(source: OperandSource, round: number, dtype: DType): [Tensor, Tensor] {
  const shape = source.shape(1 + (round % 3));
  return [source.tensor(shape, dtype, layoutOf(round)), source.tensor(shape, dtype, layoutOf(round + 2))];
}

/** Sorted, unique reduction dims of a rank-`rank` tensor. */
function dimsOf(source: OperandSource, rank: number): number[] {
  return Array.from({ length: rank }, (_, d) => d).filter(() => source.integer(0, 2) === 1);
}

const unaryFloat = (source: OperandSource, round: number): unknown[] => {
  const dtype = pick(FLOATS, round);
  return [operand(source, round, dtype), dtype];
};
const unaryNumeric = (source: OperandSource, round: number): unknown[] => {
  const dtype = pick(NUMERIC, round);
  return [operand(source, round, dtype), dtype];
};
const binary = (source: OperandSource, round: number): unknown[] => {
  const dtype = pick(NUMERIC, round);
  return [...pair(source, round, dtype), dtype];
};
const comparison = (source: OperandSource, round: number): unknown[] => pair(source, round, pick(NUMERIC, round));
const logical = (source: OperandSource, round: number): unknown[] => pair(source, round, pick(['bool', 'float32', 'int32'] as const, round));
const activation = (source: OperandSource, round: number): unknown[] => [operand(source, round, pick(FLOATS, round))];
const reduction = (dtypes: readonly DType[]) => (source: OperandSource, round: number): unknown[] => {
  const input = operand(source, round, pick(dtypes, round));
  return [input, dimsOf(source, input.ndim), round % 2 === 0];
};
const alongDim = (source: OperandSource, round: number): unknown[] => {
  const input = operand(source, round, pick(FLOATS, round));
  return [input, source.integer(0, input.ndim)];
};
const inPlaceTarget = (source: OperandSource, round: number): Tensor =>
  source.tensor(source.shape(1 + (round % 3)), pick(FLOATS, round), writableLayout(round));
/** A float tensor with a same-shape operand that the fused in-place loops accept on even rounds. */
const inPlacePair = (source: OperandSource, round: number): [Tensor, Tensor] => {
  const self = inPlaceTarget(source, round);
  return [self, source.tensor(self.shape, self.dtype, round % 2 === 0 ? 'contiguous' : layoutOf(round))];
};

const UNARY_FLOAT = ['exp', 'log', 'log2', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'floor', 'ceil', 'round', 'trunc'] as const;
const UNARY_NUMERIC = ['neg', 'abs', 'sign', 'square'] as const;
const ACTIVATIONS = [
  'relu', 'relu6', 'selu', 'silu', 'mish', 'sigmoid', 'logSigmoid', 'tanh', 'softsign', 'hardswish', 'hardsigmoid', 'tanhshrink',
] as const;

/** The argument draws, by kernel name. */
export const CORE_CASES: Partial<Record<KernelName, ArgumentDraw>> = {
  copy: (source, round) => [operand(source, round, pick(NUMERIC, round)), pick(['float32', 'float64', 'int32', 'bool'] as const, round + 1)],
  ...Object.fromEntries(UNARY_FLOAT.map((name) => [name, unaryFloat])),
  ...Object.fromEntries(UNARY_NUMERIC.map((name) => [name, unaryNumeric])),
  add: (source, round) => [...binary(source, round).slice(0, 2), round % 2 === 0 ? 1 : 2, binary(source, round)[2]],
  sub: (source, round) => {
    const [a, b, dtype] = binary(source, round);
    return [a, b, 1 + (round % 3), dtype];
  },
  mul: binary,
  pow: (source, round) => {
    const dtype = pick(FLOATS, round);
    const [a, b] = pair(source, round, dtype);
    return [a.abs(), b, dtype];
  },
  maximum: binary,
  minimum: binary,
  div: (source, round) => {
    const dtype = pick(FLOATS, round);
    return [...pair(source, round, dtype), pick([null, 'trunc', 'floor'] as const, round), dtype];
  },
  where: (source, round) => {
    const dtype = pick(NUMERIC, round);
    const [a, b] = pair(source, round, dtype);
    return [source.tensor(a.shape, 'bool', layoutOf(round + 1)), a, b, dtype];
  },
  clamp: (source, round) => {
    const dtype = pick(FLOATS, round);
    return [operand(source, round, dtype), round % 3 === 2 ? null : -0.5, round % 3 === 1 ? null : 0.75, dtype];
  },
  eq: comparison, ne: comparison, lt: comparison, le: comparison, gt: comparison, ge: comparison,
  logicalAnd: logical, logicalOr: logical, logicalXor: logical,
  logicalNot: (source, round) => [operand(source, round, pick(['bool', 'float32', 'int32'] as const, round))],
  isnan: activation, isfinite: activation, isinf: activation,
  isclose: (source, round) => [...pair(source, round, pick(FLOATS, round)), 1e-5, 1e-8, round % 2 === 0],
  sum: reduction(NUMERIC), prod: reduction(NUMERIC), mean: reduction(FLOATS), logsumexp: reduction(FLOATS),
  amax: reduction(NUMERIC), amin: reduction(NUMERIC), all: reduction(['bool', 'float32'] as const), any: reduction(['bool', 'int32'] as const),
  var: (source, round) => {
    const input = operand(source, round, pick(FLOATS, round));
    return [input, dimsOf(source, input.ndim), round % 2, round % 3 === 0];
  },
  std: (source, round) => {
    const input = operand(source, round, pick(FLOATS, round));
    return [input, dimsOf(source, input.ndim), round % 2, round % 3 === 0];
  },
  norm: (source, round) => {
    const input = operand(source, round, pick(FLOATS, round));
    return [input, pick([2, 1, Number.POSITIVE_INFINITY, 3], round), dimsOf(source, input.ndim), round % 2 === 0];
  },
  max: (source, round) => [operand(source, round, pick(NUMERIC, round))],
  min: (source, round) => [operand(source, round, pick(NUMERIC, round))],
  maxWithIndices: (source, round) => [...alongDim(source, round), round % 2 === 0],
  minWithIndices: (source, round) => [...alongDim(source, round), round % 2 === 0],
  argmax: (source, round) => {
    const [input, dim] = alongDim(source, round) as [Tensor, number];
    return [input, round % 3 === 0 ? null : dim, round % 2 === 0];
  },
  argmin: (source, round) => {
    const [input, dim] = alongDim(source, round) as [Tensor, number];
    return [input, round % 3 === 0 ? null : dim, round % 2 === 0];
  },
  ...Object.fromEntries(ACTIVATIONS.map((name) => [name, activation])),
  leakyRelu: (source, round) => [...activation(source, round), 0.1],
  elu: (source, round) => [...activation(source, round), 1.5],
  celu: (source, round) => [...activation(source, round), 0.5],
  gelu: (source, round) => [...activation(source, round), round % 2 === 0 ? 'none' : 'tanh'],
  softplus: (source, round) => [...activation(source, round), 1 + (round % 2), 20],
  hardtanh: (source, round) => [...activation(source, round), -1, 0.5],
  threshold: (source, round) => [...activation(source, round), 0.25, -3],
  reluBackward: (source, round) => pair(source, round, pick(FLOATS, round)),
  reluBackward_: (source, round) => inPlacePair(source, round),
  hardtanhBackward: (source, round) => [...pair(source, round, pick(FLOATS, round)), -0.5, 0.75],
  leakyReluBackward: (source, round) => [...pair(source, round, pick(FLOATS, round)), 0.1],
  softmax: alongDim, logSoftmax: alongDim, softmin: alongDim,
  glu: (source, round) => {
    const shape = source.shape(1 + (round % 3));
    const dim = source.integer(0, shape.length);
    shape[dim] = 2 * shape[dim]!;
    return [source.tensor(shape, pick(FLOATS, round), layoutOf(round)), dim];
  },
  matmul: (source, round) => {
    const dtype = pick(NUMERIC, round);
    const [batch, m, k, n] = [source.integer(1, 3), source.integer(1, 40), source.integer(1, 40), source.integer(1, 40)];
    return [source.tensor([batch, m, k], dtype, layoutOf(round)), source.tensor([batch, k, n], dtype, layoutOf(round + 1))];
  },
  gemm: (source, round) => {
    const dtype = pick(FLOATS, round);
    const [m, k, n] = [source.integer(1, 70), source.integer(1, 70), source.integer(1, 70)];
    const a = source.tensor([2, m, k], dtype, layoutOf(round));
    const b = source.tensor([2, k, n], dtype, layoutOf(round + 1));
    const bias = round % 3 === 0 ? null : round % 3 === 1 ? source.tensor([n], dtype) : source.tensor([m, 1], dtype);
    const out = round % 2 === 0 ? null : source.tensor([2, m, n], dtype, 'offset');
    return [a, b, { bias, out, accumulate: out !== null, activation: round % 4 < 2 ? 'none' : 'relu' }];
  },
  cat: (source, round) => {
    const dtype = pick(NUMERIC, round);
    const shape = source.shape(1 + (round % 3));
    const dim = source.integer(0, shape.length);
    const other = [...shape];
    other[dim] = source.integer(1, 4);
    return [[source.tensor(shape, dtype, layoutOf(round)), source.tensor(other, dtype, layoutOf(round + 1))], dim, dtype];
  },
  gather: (source, round) => {
    const input = operand(source, round, pick(NUMERIC, round));
    const dim = source.integer(0, input.ndim);
    const indexShape = input.shape.map((size, d) => (d === dim ? source.integer(1, 5) : size));
    const index = source.indices(indexShape, input.shape[dim]!);
    return [input, dim, index];
  },
  indexSelect: (source, round) => {
    const input = operand(source, round, pick(NUMERIC, round));
    const dim = source.integer(0, input.ndim);
    return [input, dim, source.indices([source.integer(1, 6)], input.shape[dim]!)];
  },
  scatterAdd: (source, round) => {
    const input = operand(source, round, pick(FLOATS, round));
    const dim = source.integer(0, input.ndim);
    const index = source.indices(input.shape, input.shape[dim]!);
    return [input, dim, index, source.tensor(input.shape, input.dtype, layoutOf(round + 1))];
  },
  scatter: (source, round) => {
    const input = operand(source, round, pick(NUMERIC, round));
    const dim = source.integer(0, input.ndim);
    // Indices may repeat: the kernel writes in index order, the last write wins, whatever the layouts.
    const index = source.indices(input.shape, input.shape[dim]!);
    return [input, dim, index, round % 3 === 0 ? -3 : source.tensor(input.shape, input.dtype, layoutOf(round + 1))];
  },
  maskedFill: (source, round) => {
    const input = operand(source, round, pick(NUMERIC, round));
    return [input, source.tensor(input.shape, 'bool', layoutOf(round + 1)), -7];
  },
  copyInto: (source, round) => {
    const target = source.tensor(source.shape(1 + (round % 3)), pick(NUMERIC, round), writableLayout(round));
    return [target, source.tensor(target.shape, pick(NUMERIC, round + 1), layoutOf(round + 2))];
  },
  fill: (source, round) => [source.tensor(source.shape(1 + (round % 3)), pick(NUMERIC, round), writableLayout(round)), -3],
  add_: (source, round) => [...inPlacePair(source, round), 1 + (round % 2)],
  mul_: (source, round) => {
    const [self, other] = inPlacePair(source, round);
    return [self, round % 3 === 0 ? 1.5 : other];
  },
  div_: (source, round) => inPlacePair(source, round),
  addcmul_: (source, round) => {
    const [self, first] = inPlacePair(source, round);
    return [self, first, source.tensor(self.shape, self.dtype), 0.5];
  },
  addcdiv_: (source, round) => {
    const [self, first] = inPlacePair(source, round);
    return [self, first, source.tensor(self.shape, self.dtype), 0.5];
  },
  exp_: (source, round) => [inPlaceTarget(source, round)],
  sqrt_: (source, round) => [inPlaceTarget(source, round)],
  neg_: (source, round) => [inPlaceTarget(source, round)],
  gemmAccelerated: (source, round) => [source.integer(1, 300), source.integer(1, 300), source.integer(1, 300), pick(NUMERIC, round)],
};

/** Kernels that write into their first argument (compared after the call). */
export const IN_PLACE: ReadonlySet<string> = new Set([
  'copyInto', 'fill', 'add_', 'mul_', 'div_', 'addcmul_', 'addcdiv_', 'exp_', 'sqrt_', 'neg_', 'reluBackward_',
]);

/** Kernels whose result may legitimately differ between backends: may decline (return false), or answer a backend-specific question. */
export const DECLINABLE: ReadonlySet<string> = new Set([
  'add_', 'mul_', 'div_', 'addcmul_', 'addcdiv_', 'exp_', 'sqrt_', 'neg_', 'reluBackward_', 'gemmAccelerated',
]);
