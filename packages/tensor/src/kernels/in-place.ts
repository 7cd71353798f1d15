import { type TypedArray, allocate, isFloatingPoint } from '../dtype.js';
import { getKernel } from '../registry.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { scatterStrided } from './strided.js';

// The CPU kernels of in-place writes: `copyInto` and `fill` (registered by
// ops/in-place-support.ts), and the in-place ops' fast paths (registered by
// ops/in-place.ts): one loop over a contiguous floating-point `self` with a
// number or a matching contiguous operand. Each fast path returns false,
// having written nothing, when the operands don't allow it; the op then
// computes out of place and writes the result with `copyInto`.

/**
 * Whether a tensor operand can be read element by element alongside a
 * contiguous `self`: same dtype, same shape, contiguous, and not an
 * overlapping window of `self`'s own storage.
 */
function isFastOperand(self: Tensor, operand: Tensor): boolean {
  return (
    operand.dtype === self.dtype &&
    shapesEqual(operand.shape, self.shape) &&
    operand.isContiguous() &&
    (operand.storage !== self.storage || operand.offset === self.offset)
  );
}

/** The contiguous element range of a floating-point `self`, or `null` when the fast loops don't apply. */
function fastRange(self: Tensor): { data: TypedArray; start: number; end: number } | null {
  if (!isFloatingPoint(self.dtype) || !self.isContiguous()) return null;
  return { data: self.storage.data, start: self.offset, end: self.offset + self.numel() };
}

/** A number operand as the arithmetic sees it: rounded to float32 for a float32 `self`, as PyTorch casts a scalar. */
function scalarFor(self: Tensor, value: number): number {
  return self.dtype === 'float32' ? Math.fround(value) : value;
}

type FastBinary = 'add' | 'mul' | 'div';

/**
 * `self = self + alpha * other`, `self * other` or `self / other` in one loop,
 * with the same arithmetic as the out-of-place kernels. Returns `false` when
 * the operands don't allow it.
 */
function fastBinary(self: Tensor, other: Tensor | number, kind: FastBinary, alpha: number): boolean {
  const range = fastRange(self);
  if (range === null) return false;
  const { data, start, end } = range;
  if (typeof other === 'number') {
    const y = scalarFor(self, other);
    const step = alpha === 1 ? y : alpha * y;
    if (kind === 'add') for (let i = start; i < end; i++) data[i] = data[i]! + step;
    else if (kind === 'mul') for (let i = start; i < end; i++) data[i] = data[i]! * y;
    else for (let i = start; i < end; i++) data[i] = data[i]! / y;
    return true;
  }
  if (!(other instanceof Tensor) || !isFastOperand(self, other)) return false;
  const y = other.storage.data;
  const shift = other.offset - start;
  if (kind === 'add' && alpha === 1) for (let i = start; i < end; i++) data[i] = data[i]! + y[i + shift]!;
  else if (kind === 'add') for (let i = start; i < end; i++) data[i] = data[i]! + alpha * y[i + shift]!;
  else if (kind === 'mul') for (let i = start; i < end; i++) data[i] = data[i]! * y[i + shift]!;
  else for (let i = start; i < end; i++) data[i] = data[i]! / y[i + shift]!;
  return true;
}

/** `self + value * first ⊙ second` or `self + value * first / second`, in one loop. */
function fastAddc(self: Tensor, first: Tensor, second: Tensor, value: number, divide: boolean): boolean {
  const range = fastRange(self);
  if (range === null || !isFastOperand(self, first) || !isFastOperand(self, second)) return false;
  const { data, start, end } = range;
  const a = first.storage.data;
  const b = second.storage.data;
  const shiftA = first.offset - start;
  const shiftB = second.offset - start;
  // The out-of-place composition stores the product (or quotient) first, rounding it to float32.
  const round = self.dtype === 'float32' ? Math.fround : (x: number): number => x;
  if (divide) for (let i = start; i < end; i++) data[i] = data[i]! + value * round(a[i + shiftA]! / b[i + shiftB]!);
  else for (let i = start; i < end; i++) data[i] = data[i]! + value * round(a[i + shiftA]! * b[i + shiftB]!);
  return true;
}

type FastUnary = 'exp' | 'sqrt' | 'neg';

function fastUnary(self: Tensor, kind: FastUnary): boolean {
  const range = fastRange(self);
  if (range === null) return false;
  const { data, start, end } = range;
  if (kind === 'exp') for (let i = start; i < end; i++) data[i] = Math.exp(data[i]!);
  else if (kind === 'sqrt') for (let i = start; i < end; i++) data[i] = Math.sqrt(data[i]!);
  else for (let i = start; i < end; i++) data[i] = -data[i]!;
  return true;
}

/** `self += alpha * other` (in-place `add_`, and `sub_` with `-alpha`). */
export function addInPlaceKernel(self: Tensor, other: Tensor | number, alpha: number): boolean {
  return fastBinary(self, other, 'add', alpha);
}

/** `self *= other`. */
export function mulInPlaceKernel(self: Tensor, other: Tensor | number): boolean {
  return fastBinary(self, other, 'mul', 1);
}

/** `self /= other` (true division). */
export function divInPlaceKernel(self: Tensor, other: Tensor | number): boolean {
  return fastBinary(self, other, 'div', 1);
}

/** `self += value * first * second`. */
export function addcmulInPlaceKernel(self: Tensor, first: Tensor, second: Tensor, value: number): boolean {
  return fastAddc(self, first, second, value, false);
}

/** `self += value * first / second`. */
export function addcdivInPlaceKernel(self: Tensor, first: Tensor, second: Tensor, value: number): boolean {
  return fastAddc(self, first, second, value, true);
}

/** `self = exp(self)`. */
export function expInPlaceKernel(self: Tensor): boolean {
  return fastUnary(self, 'exp');
}

/** `self = sqrt(self)`. */
export function sqrtInPlaceKernel(self: Tensor): boolean {
  return fastUnary(self, 'sqrt');
}

/** `self = -self`. */
export function negInPlaceKernel(self: Tensor): boolean {
  return fastUnary(self, 'neg');
}

/**
 * The CPU `copyInto` kernel: `source` (of `target`'s shape) converted to
 * `target`'s dtype and written through `target`'s strides (a direct copy
 * when `target` is contiguous).
 */
export function copyIntoKernel(target: Tensor, source: Tensor): void {
  const converted = source.dtype === target.dtype ? source : getKernel('copy')(source, target.dtype);
  let data: TypedArray = converted.contiguousData();
  // Reading from a subarray of the storage being written could see elements already overwritten.
  if (data.buffer === target.storage.data.buffer) data = data.slice();
  if (target.isContiguous()) target.storage.data.set(data, target.offset);
  else scatterStrided(data, 0, target.shape, target.strides, target.storage.data, target.offset);
}

/** The CPU `fill` kernel: every element of `target`, through its strides, set to `value`. */
export function fillKernel(target: Tensor, value: number): void {
  if (target.isContiguous()) {
    target.storage.data.fill(value, target.offset, target.offset + target.numel());
    return;
  }
  const data = allocate(target.dtype, target.numel());
  data.fill(value);
  scatterStrided(data, 0, target.shape, target.strides, target.storage.data, target.offset);
}
