import { type DType, isFloatingPoint, toFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { UnaryCode, unaryKernel } from '../kernels/unary.js';
import { getKernel, registerKernel } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from '../checks.js';

/** The unary ops that compute in floating point: int32 and bool inputs give float32. */
type FloatingUnaryName = 'exp' | 'log' | 'log2' | 'log1p' | 'expm1' | 'sqrt' | 'rsqrt' | 'reciprocal' | 'sin' | 'cos';

/** The unary ops whose result keeps the input's dtype (bool refused where PyTorch refuses it). */
type DTypeKeepingUnaryName = 'neg' | 'abs' | 'sign' | 'floor' | 'ceil' | 'round' | 'trunc';

const floatingCodes: Record<FloatingUnaryName, UnaryCode> = {
  exp: UnaryCode.Exp,
  log: UnaryCode.Log,
  log2: UnaryCode.Log2,
  log1p: UnaryCode.Log1p,
  expm1: UnaryCode.Expm1,
  sqrt: UnaryCode.Sqrt,
  rsqrt: UnaryCode.Rsqrt,
  reciprocal: UnaryCode.Reciprocal,
  sin: UnaryCode.Sin,
  cos: UnaryCode.Cos,
};
for (const name of Object.keys(floatingCodes) as FloatingUnaryName[]) {
  const code = floatingCodes[name];
  registerKernel(name, (input, dtype) => unaryKernel(code, input, dtype));
}
registerKernel('neg', (input, dtype) => unaryKernel(UnaryCode.Negate, input, dtype));
registerKernel('abs', (input, dtype) => unaryKernel(UnaryCode.Absolute, input, dtype));
registerKernel('sign', (input, dtype) => unaryKernel(UnaryCode.Sign, input, dtype));
registerKernel('square', (input, dtype) =>
  unaryKernel(dtype === 'int32' ? UnaryCode.SquareInteger : UnaryCode.Square, input, dtype),
);
// Rounding an integer tensor is the identity (a copy), as in PyTorch.
registerKernel('floor', (input, dtype) => unaryKernel(isFloatingPoint(input.dtype) ? UnaryCode.Floor : UnaryCode.Copy, input, dtype));
registerKernel('ceil', (input, dtype) => unaryKernel(isFloatingPoint(input.dtype) ? UnaryCode.Ceil : UnaryCode.Copy, input, dtype));
registerKernel('round', (input, dtype) => unaryKernel(isFloatingPoint(input.dtype) ? UnaryCode.Round : UnaryCode.Copy, input, dtype));
registerKernel('trunc', (input, dtype) => unaryKernel(isFloatingPoint(input.dtype) ? UnaryCode.Trunc : UnaryCode.Copy, input, dtype));

function floatingUnary(op: FloatingUnaryName, input: Tensor): Tensor {
  checkTensor(op, 'input', input);
  const result = getKernel(op)(input, toFloatingPoint(input.dtype));
  recordOperation(op, [input], result, {});
  return result;
}

function dtypeKeepingUnary(op: DTypeKeepingUnaryName, input: Tensor, refusal: string | null): Tensor {
  checkTensor(op, 'input', input);
  if (refusal !== null && input.dtype === 'bool') throw new DTypeError(refusal);
  const result = getKernel(op)(input, input.dtype);
  recordOperation(op, [input], result, {});
  return result;
}

function notForBool(op: string): string {
  return `${op}: not supported for bool tensors (got dtype bool; expected int32, float32 or float64)`;
}

/**
 * `-input`, like `torch.neg`. Differentiable. int32 negation wraps around
 * (`-(-2147483648)` is itself).
 * @throws DTypeError for a bool tensor (use `logicalNot`).
 */
export function neg(input: Tensor): Tensor {
  return dtypeKeepingUnary(
    'neg',
    input,
    'neg: negation of a bool tensor is not supported (got dtype bool); to invert a mask, use logicalNot() instead',
  );
}

/** `|input|`, like `torch.abs`. Differentiable. @throws DTypeError for a bool tensor. */
export function abs(input: Tensor): Tensor {
  return dtypeKeepingUnary('abs', input, notForBool('abs'));
}

/** -1, 0 or 1 by the sign of each element (0 for NaN and -0), like `torch.sign`; keeps the dtype. Gradient zero. */
export function sign(input: Tensor): Tensor {
  return dtypeKeepingUnary('sign', input, null);
}

/** `input * input`, like `torch.square`. Integer squares stay int32 (and wrap); a bool tensor gives int32. Differentiable. */
export function square(input: Tensor): Tensor {
  checkTensor('square', 'input', input);
  const dtype: DType = input.dtype === 'bool' ? 'int32' : input.dtype;
  const result = getKernel('square')(input, dtype);
  recordOperation('square', [input], result, {});
  return result;
}

/** `e^x`, like `torch.exp`; int32 and bool inputs give float32. Differentiable. */
export function exp(input: Tensor): Tensor {
  return floatingUnary('exp', input);
}

/** The natural logarithm (`-Infinity` at 0, NaN below), like `torch.log`; int32 and bool give float32. Differentiable. */
export function log(input: Tensor): Tensor {
  return floatingUnary('log', input);
}

/** The base-2 logarithm, like `torch.log2`; int32 and bool give float32. Differentiable. */
export function log2(input: Tensor): Tensor {
  return floatingUnary('log2', input);
}

/** `log(1 + x)`, accurate for small `x`, like `torch.log1p`; int32 and bool give float32. Differentiable. */
export function log1p(input: Tensor): Tensor {
  return floatingUnary('log1p', input);
}

/** `e^x - 1`, accurate for small `x`, like `torch.expm1`; int32 and bool give float32. Differentiable. */
export function expm1(input: Tensor): Tensor {
  return floatingUnary('expm1', input);
}

/** The square root (NaN below 0), like `torch.sqrt`; int32 and bool give float32. Differentiable. */
export function sqrt(input: Tensor): Tensor {
  return floatingUnary('sqrt', input);
}

/** `1 / sqrt(x)`, like `torch.rsqrt`; int32 and bool give float32. Differentiable. */
export function rsqrt(input: Tensor): Tensor {
  return floatingUnary('rsqrt', input);
}

/** `1 / x`, like `torch.reciprocal`; int32 and bool give float32 (`1 / 0` is `Infinity`). Differentiable. */
export function reciprocal(input: Tensor): Tensor {
  return floatingUnary('reciprocal', input);
}

/** The sine, like `torch.sin`; int32 and bool give float32. Differentiable. */
export function sin(input: Tensor): Tensor {
  return floatingUnary('sin', input);
}

/** The cosine, like `torch.cos`; int32 and bool give float32. Differentiable. */
export function cos(input: Tensor): Tensor {
  return floatingUnary('cos', input);
}

/** Rounds down, like `torch.floor`; an int32 tensor is copied as is. Gradient zero. @throws DTypeError for a bool tensor. */
export function floor(input: Tensor): Tensor {
  return dtypeKeepingUnary('floor', input, notForBool('floor'));
}

/** Rounds up, like `torch.ceil`; an int32 tensor is copied as is. Gradient zero. @throws DTypeError for a bool tensor. */
export function ceil(input: Tensor): Tensor {
  return dtypeKeepingUnary('ceil', input, notForBool('ceil'));
}

/**
 * Rounds to the nearest integer, halves to even (`round(2.5)` is 2,
 * `round(-0.5)` is -0), like `torch.round`; an int32 tensor is copied as is.
 * Gradient zero.
 * @throws DTypeError for a bool tensor.
 */
export function round(input: Tensor): Tensor {
  return dtypeKeepingUnary('round', input, notForBool('round'));
}

/** Rounds toward zero, like `torch.trunc`; an int32 tensor is copied as is. Gradient zero. @throws DTypeError for a bool tensor. */
export function trunc(input: Tensor): Tensor {
  return dtypeKeepingUnary('trunc', input, notForBool('trunc'));
}
