import { type DType, type TypedArray, allocate, allocateForOverwrite, dtypeOfArray, isFloatingPoint } from './dtype.js';
import { DTypeError, ShapeError, formatShape } from './errors.js';
import {
  type BackwardOptions,
  type GradientNode,
  gradientRecorder,
} from './gradient-recording.js';
import { copyStrided } from './kernels/strided.js';
import { contiguousStrides, numelOf, normalizeDim } from './shape.js';
import * as castOps from './ops/cast.js';
import * as comparisonOps from './ops/comparison.js';
import * as elementwiseOps from './ops/elementwise.js';
import type { TensorOrScalar } from './ops/promotion.js';
import * as unaryOps from './ops/unary.js';
import * as matmulOps from './ops/matmul.js';
import * as viewOps from './ops/views.js';
import * as indexingOps from './ops/indexing.js';
import * as joinOps from './ops/join.js';
import * as reductionOps from './ops/reduction.js';
import * as activationOps from './ops/activation.js';
import * as inPlaceOps from './ops/in-place.js';
import * as inPlaceFillOps from './ops/in-place-fill.js';
import * as printOps from './print.js';
import { Storage } from './storage.js';
import { foreignPackageCopy, foreignTensorError, packageCopyKey, thisPackageCopy } from './package-copy.js';

/** `instanceof` without the override below. */
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

/** A nested array of numbers or booleans, as `tolist()` returns and `tensor()` takes. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * A function called with a tensor's gradient during backward; returning a
 * tensor replaces the gradient.
 */
export type GradientHook = (gradient: Tensor) => Tensor | void;

/** A handle whose `remove()` unregisters a hook. */
export interface RemovableHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/**
 * An n-dimensional array of one dtype: a typed-array storage read through a
 * shape, strides and an offset. Views (reshape, transpose, narrow, ...) share
 * the storage and copy nothing.
 *
 * Create tensors with `tensor`, `zeros`, `randn` and the other creation
 * functions rather than with this constructor. Every op is both a function
 * (`add(a, b)`) and a method (`a.add(b)`).
 *
 * @example
 * ```ts
 * const a = tensor([[1, 2], [3, 4]]);
 * const b = a.t().matmul(a).add(1);  // float32 [2, 2]
 * b.shape;                           // [2, 2]
 * b.tolist();                        // [[11, 15], [15, 21]]
 * String(a.view(4));                 // 'tensor([1., 2., 3., 4.])'
 * ```
 */
export class Tensor {
  /** The memory this tensor reads, shared with its views. */
  readonly storage: Storage;
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** How many storage elements one step along each dimension moves. */
  readonly strides: readonly number[];
  /** The storage index of the first element. */
  readonly offset: number;
  /** The element type. */
  readonly dtype: DType;
  /** The tensor whose storage this view reads, or `null` for a tensor that owns its storage. */
  readonly base: Tensor | null;
  /** The accumulated gradient of a leaf (or of a tensor that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The backward node that produced this tensor, `null` for a leaf. */
  gradFn: GradientNode | null = null;
  /** Whether `grad` is kept although this is not a leaf (see `retainGrad()`). */
  retainsGrad = false;
  /** Hooks called with this tensor's gradient during backward. */
  readonly gradientHooks: GradientHook[] = [];
  private requiresGradFlag = false;

  // Every tensor names the copy of this package that made it (see package-copy.ts).
  static {
    Object.defineProperty(Tensor.prototype, packageCopyKey, { value: thisPackageCopy });
  }

  /**
   * `value instanceof Tensor` (and `instanceof Parameter` and other
   * subclasses), with one addition: a tensor made by another copy of
   * `@strata/tensor` (the ESM and CommonJS builds loaded side by side, or two
   * versions) throws an error naming that cause and the fix, instead of
   * failing as "not a Tensor".
   * @throws TypeError when `value` is a tensor of another copy of this package.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    if (ordinaryHasInstance.call(this, value)) return true;
    const other = foreignPackageCopy(value);
    if (other !== null) throw foreignTensorError(other);
    return false;
  }

  constructor(
    storage: Storage,
    shape: readonly number[],
    strides: readonly number[] = contiguousStrides(shape),
    offset = 0,
    base: Tensor | null = null,
  ) {
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    this.offset = offset;
    this.dtype = dtypeOfArray(storage.data);
    this.base = base;
  }

  /**
   * A new contiguous tensor that owns `data` (row-major, `shape`); the dtype
   * follows the typed array's kind. No copy is made.
   * @throws ShapeError when `shape` does not hold exactly `data.length` elements.
   */
  static fromData(data: TypedArray, shape: readonly number[]): Tensor {
    if (numelOf(shape) !== data.length) {
      throw new ShapeError(`Tensor.fromData: shape ${formatShape(shape)} holds ${numelOf(shape)} elements, but the data has ${data.length}`);
    }
    return new Tensor(new Storage(data), shape);
  }

  /**
   * Whether operations on this tensor are recorded for gradients. Settable on
   * leaves only, and to `true` only for floating-point tensors.
   * @throws Error when set on a non-leaf; DTypeError when set to `true` on an int32 or bool tensor.
   */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (value === this.requiresGradFlag) return;
    if (this.gradFn !== null) {
      throw new Error(
        'requiresGrad: you can only change requiresGrad flags of leaf tensors; use detach() to get a leaf that does not require grad',
      );
    }
    if (value && !isFloatingPoint(this.dtype)) {
      throw new DTypeError(`requiresGrad: only tensors of floating point dtype can require gradients, got ${this.dtype}`);
    }
    this.requiresGradFlag = value;
  }

  /**
   * Sets `requiresGrad` (default `true`) and returns this tensor, like PyTorch's `requires_grad_()`.
   * @throws as the `requiresGrad` setter.
   */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /**
   * Attaches the backward node that produced this tensor. Used by
   * `@strata/autograd`; user code has no reason to call it.
   */
  setGradientNode(node: GradientNode | null): void {
    this.gradFn = node;
    this.requiresGradFlag = node !== null;
  }

  /** Whether this tensor is a leaf of the graph (created by the user, not by a recorded op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The storage's in-place write counter. */
  get version(): number {
    return this.storage.version;
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The number of dimensions (`ndim`). */
  dim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }

  /** The shape, or one dimension's size (negative dims count from the end). */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): readonly number[] | number {
    if (dim === undefined) return this.shape;
    return this.shape[normalizeDim(dim, this.shape.length, 'size')]!;
  }

  /** Whether the elements lie in row-major order without gaps. */
  isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      const size = this.shape[d]!;
      if (size === 1) continue;
      if (this.strides[d] !== expected) return false;
      expected *= size;
    }
    return true;
  }

  /**
   * The elements in row-major order as a typed array of the dtype's kind.
   * Returns the storage itself when it already is exactly that (no copy):
   * kernels use it to read inputs; never write to the result.
   */
  contiguousData(): TypedArray {
    const count = this.numel();
    const data = this.storage.data;
    if (this.isContiguous()) {
      if (this.offset === 0 && data.length === count) return data;
      return data.subarray(this.offset, this.offset + count);
    }
    const result = allocateForOverwrite(this.dtype, count);
    copyStrided(data, this.offset, this.shape, this.strides, result, 0);
    return result;
  }

  /** A row-major copy of the elements: `Float32Array`, `Float64Array`, `Int32Array` or `Uint8Array` (bool). */
  toTypedArray(): TypedArray {
    const count = this.numel();
    const result = allocate(this.dtype, count);
    copyStrided(this.storage.data, this.offset, this.shape, this.strides, result, 0);
    return result;
  }

  /** The elements as nested JS arrays (booleans for a bool tensor); a number for a 0-d tensor. */
  tolist(): NestedArray {
    const flat = this.contiguousData();
    const asValue = (i: number): number | boolean => (this.dtype === 'bool' ? flat[i] !== 0 : flat[i]!);
    if (this.shape.length === 0) return asValue(0);
    let position = 0;
    const build = (dim: number): NestedArray[] => {
      const size = this.shape[dim]!;
      const result: NestedArray[] = new Array(size);
      for (let i = 0; i < size; i++) {
        result[i] = dim === this.shape.length - 1 ? asValue(position++) : build(dim + 1);
      }
      return result;
    };
    return build(0);
  }

  /**
   * The value of a one-element tensor.
   * @throws RangeError when the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(
        `item: a Tensor with ${this.numel()} elements cannot be converted to a number (shape ${formatShape(this.shape)})`,
      );
    }
    return this.storage.data[this.offset]!;
  }

  /**
   * Computes the gradients of this tensor with respect to the graph's leaves
   * and accumulates them into their `grad`. A one-element tensor needs no
   * `gradient`; any other needs the gradient of the loss with respect to it.
   * Needs `@strata/autograd` to be imported.
   * @throws Error when `@strata/autograd` is not loaded, when this tensor does
   * not require grad, when `gradient` is missing for a tensor of more than one
   * element, or when the graph was freed by an earlier backward (see
   * `retainGraph`) or a saved tensor was modified in place since.
   * @throws ShapeError when `gradient`'s shape differs from this tensor's.
   * @throws DTypeError when `gradient` is not floating point.
   * @example
   * ```ts
   * const x = tensor([1, 2, 3], { requiresGrad: true });
   * x.mul(x).sum().backward();
   * x.grad!.tolist(); // [2, 4, 6]
   * ```
   */
  backward(gradient: Tensor | null = null, options: BackwardOptions = {}): void {
    const recorder = gradientRecorder();
    if (recorder === null) {
      throw new Error("backward: gradients need '@strata/autograd'; install it and import it once (import '@strata/autograd')");
    }
    recorder.backward(this, gradient, options);
  }

  /**
   * Keeps `grad` for this non-leaf tensor after backward, like PyTorch's `retain_grad()`.
   * @throws Error when this tensor does not require grad.
   */
  retainGrad(): this {
    if (!this.requiresGrad) {
      throw new Error("retainGrad: can't retain the gradient of a tensor that does not require grad");
    }
    if (this.gradFn !== null && !this.retainsGrad) {
      this.retainsGrad = true;
      gradientRecorder()?.observe(this);
    }
    return this;
  }

  /**
   * Registers a hook called with this tensor's gradient during backward; a
   * hook that returns a tensor replaces the gradient, like PyTorch's `register_hook`.
   * @throws Error when this tensor does not require grad.
   */
  registerHook(hook: GradientHook): RemovableHandle {
    if (!this.requiresGrad) {
      throw new Error("registerHook: can't register a hook on a tensor that doesn't require gradient");
    }
    this.gradientHooks.push(hook);
    if (this.gradFn !== null) gradientRecorder()?.observe(this);
    return {
      remove: () => {
        const index = this.gradientHooks.indexOf(hook);
        if (index >= 0) this.gradientHooks.splice(index, 1);
      },
    };
  }

  /** A tensor sharing this one's storage, cut off from the graph (`requiresGrad` false). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.strides, this.offset, this.base ?? this);
  }

  /** Cuts this tensor off from the graph in place and makes it a leaf. */
  detach_(): this {
    this.gradFn = null;
    this.requiresGradFlag = false;
    return this;
  }

  // ---- views (ops/views.ts) ----

  /** See {@link viewOps.reshape}. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return viewOps.reshape(this, shapeArgument(shape));
  }

  /** See {@link viewOps.view}. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return viewOps.view(this, shapeArgument(shape));
  }

  /** See {@link viewOps.flatten}. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return viewOps.flatten(this, startDim, endDim);
  }

  /** See {@link viewOps.permute}. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return viewOps.permute(this, shapeArgument(dims));
  }

  /** See {@link viewOps.transpose}. */
  transpose(dim0: number, dim1: number): Tensor {
    return viewOps.transpose(this, dim0, dim1);
  }

  /** The transpose of a matrix; see {@link viewOps.t}. */
  t(): Tensor {
    return viewOps.t(this);
  }

  /** The matrix transpose (`.T` for 2-d tensors, reversed dims otherwise, like PyTorch's `.T`). */
  get T(): Tensor {
    return viewOps.permute(this, this.shape.map((_, i) => this.shape.length - 1 - i));
  }

  /** See {@link viewOps.squeeze}. */
  squeeze(dim?: number | readonly number[]): Tensor {
    return viewOps.squeeze(this, dim);
  }

  /** See {@link viewOps.unsqueeze}. */
  unsqueeze(dim: number): Tensor {
    return viewOps.unsqueeze(this, dim);
  }

  /** See {@link viewOps.expand}. */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return viewOps.expand(this, shapeArgument(shape));
  }

  /** See {@link viewOps.expandAs}. */
  expandAs(other: Tensor): Tensor {
    return viewOps.expandAs(this, other);
  }

  /** See {@link viewOps.narrow}. */
  narrow(dim: number, start: number, length: number): Tensor {
    return viewOps.narrow(this, dim, start, length);
  }

  /** See {@link viewOps.slice}. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return viewOps.slice(this, dim, start, end, step);
  }

  /** See {@link viewOps.select}. */
  select(dim: number, index: number): Tensor {
    return viewOps.select(this, dim, index);
  }

  // ---- creation helpers (creation.ts) ----

  // ---- casts and copies (ops/cast.ts) ----

  /** See {@link castOps.contiguous}. */
  contiguous(): Tensor {
    return castOps.contiguous(this);
  }

  /** See {@link castOps.clone}. */
  clone(): Tensor {
    return castOps.clone(this);
  }

  /** See {@link castOps.to}. */
  to(dtype: DType): Tensor {
    return castOps.to(this, dtype);
  }

  /** This tensor as float32. */
  float(): Tensor {
    return castOps.to(this, 'float32');
  }

  /** This tensor as float64. */
  double(): Tensor {
    return castOps.to(this, 'float64');
  }

  /** This tensor as int32 (truncating toward zero). */
  int(): Tensor {
    return castOps.to(this, 'int32');
  }

  /** This tensor as bool (nonzero is true). */
  bool(): Tensor {
    return castOps.to(this, 'bool');
  }

  // ---- elementwise math (ops/elementwise.ts) ----

  /** See {@link elementwiseOps.add}. */
  add(other: TensorOrScalar, options?: elementwiseOps.AddOptions): Tensor {
    return elementwiseOps.add(this, other, options);
  }

  /** See {@link elementwiseOps.sub}. */
  sub(other: TensorOrScalar, options?: elementwiseOps.AddOptions): Tensor {
    return elementwiseOps.sub(this, other, options);
  }

  /** See {@link elementwiseOps.mul}. */
  mul(other: TensorOrScalar): Tensor {
    return elementwiseOps.mul(this, other);
  }

  /** See {@link elementwiseOps.div}. */
  div(other: TensorOrScalar, options?: elementwiseOps.DivOptions): Tensor {
    return elementwiseOps.div(this, other, options);
  }

  /** See {@link elementwiseOps.pow}. */
  pow(exponent: TensorOrScalar): Tensor {
    return elementwiseOps.pow(this, exponent);
  }

  /** See {@link elementwiseOps.maximum}. */
  maximum(other: TensorOrScalar): Tensor {
    return elementwiseOps.maximum(this, other);
  }

  /** See {@link elementwiseOps.minimum}. */
  minimum(other: TensorOrScalar): Tensor {
    return elementwiseOps.minimum(this, other);
  }

  /** This tensor where `condition` is true, else `other` (PyTorch's `x.where(condition, y)`); see {@link elementwiseOps.where}. */
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    return elementwiseOps.where(condition, this, other);
  }

  /** See {@link elementwiseOps.clamp}. */
  clamp(min?: elementwiseOps.ClampOptions | Tensor | number | null, max?: Tensor | number | null): Tensor {
    return elementwiseOps.clamp(this, min, max);
  }

  /** See {@link unaryOps.neg}. */
  neg(): Tensor {
    return unaryOps.neg(this);
  }

  /** See {@link unaryOps.abs}. */
  abs(): Tensor {
    return unaryOps.abs(this);
  }

  /** See {@link unaryOps.sign}. */
  sign(): Tensor {
    return unaryOps.sign(this);
  }

  /** See {@link unaryOps.square}. */
  square(): Tensor {
    return unaryOps.square(this);
  }

  /** See {@link unaryOps.exp}. */
  exp(): Tensor {
    return unaryOps.exp(this);
  }

  /** See {@link unaryOps.log}. */
  log(): Tensor {
    return unaryOps.log(this);
  }

  /** See {@link unaryOps.log2}. */
  log2(): Tensor {
    return unaryOps.log2(this);
  }

  /** See {@link unaryOps.log1p}. */
  log1p(): Tensor {
    return unaryOps.log1p(this);
  }

  /** See {@link unaryOps.expm1}. */
  expm1(): Tensor {
    return unaryOps.expm1(this);
  }

  /** See {@link unaryOps.sqrt}. */
  sqrt(): Tensor {
    return unaryOps.sqrt(this);
  }

  /** See {@link unaryOps.rsqrt}. */
  rsqrt(): Tensor {
    return unaryOps.rsqrt(this);
  }

  /** See {@link unaryOps.reciprocal}. */
  reciprocal(): Tensor {
    return unaryOps.reciprocal(this);
  }

  /** See {@link unaryOps.sin}. */
  sin(): Tensor {
    return unaryOps.sin(this);
  }

  /** See {@link unaryOps.cos}. */
  cos(): Tensor {
    return unaryOps.cos(this);
  }

  /** See {@link unaryOps.floor}. */
  floor(): Tensor {
    return unaryOps.floor(this);
  }

  /** See {@link unaryOps.ceil}. */
  ceil(): Tensor {
    return unaryOps.ceil(this);
  }

  /** See {@link unaryOps.round}. */
  round(): Tensor {
    return unaryOps.round(this);
  }

  /** See {@link unaryOps.trunc}. */
  trunc(): Tensor {
    return unaryOps.trunc(this);
  }

  // ---- comparisons (ops/comparison.ts) ----

  /** See {@link comparisonOps.eq}. */
  eq(other: TensorOrScalar): Tensor {
    return comparisonOps.eq(this, other);
  }

  /** See {@link comparisonOps.ne}. */
  ne(other: TensorOrScalar): Tensor {
    return comparisonOps.ne(this, other);
  }

  /** See {@link comparisonOps.lt}. */
  lt(other: TensorOrScalar): Tensor {
    return comparisonOps.lt(this, other);
  }

  /** See {@link comparisonOps.le}. */
  le(other: TensorOrScalar): Tensor {
    return comparisonOps.le(this, other);
  }

  /** See {@link comparisonOps.gt}. */
  gt(other: TensorOrScalar): Tensor {
    return comparisonOps.gt(this, other);
  }

  /** See {@link comparisonOps.ge}. */
  ge(other: TensorOrScalar): Tensor {
    return comparisonOps.ge(this, other);
  }

  /** See {@link comparisonOps.logicalAnd}. */
  logicalAnd(other: TensorOrScalar): Tensor {
    return comparisonOps.logicalAnd(this, other);
  }

  /** See {@link comparisonOps.logicalOr}. */
  logicalOr(other: TensorOrScalar): Tensor {
    return comparisonOps.logicalOr(this, other);
  }

  /** See {@link comparisonOps.logicalXor}. */
  logicalXor(other: TensorOrScalar): Tensor {
    return comparisonOps.logicalXor(this, other);
  }

  /** See {@link comparisonOps.logicalNot}. */
  logicalNot(): Tensor {
    return comparisonOps.logicalNot(this);
  }

  /** See {@link comparisonOps.isnan}. */
  isnan(): Tensor {
    return comparisonOps.isnan(this);
  }

  /** See {@link comparisonOps.isfinite}. */
  isfinite(): Tensor {
    return comparisonOps.isfinite(this);
  }

  /** See {@link comparisonOps.isinf}. */
  isinf(): Tensor {
    return comparisonOps.isinf(this);
  }

  /** See {@link comparisonOps.isclose}. */
  isclose(other: Tensor, options?: comparisonOps.IsCloseOptions): Tensor {
    return comparisonOps.isclose(this, other, options);
  }

  /** See {@link comparisonOps.allclose}. */
  allclose(other: Tensor, options?: comparisonOps.IsCloseOptions): boolean {
    return comparisonOps.allclose(this, other, options);
  }

  /** See {@link comparisonOps.equal}. */
  equal(other: Tensor): boolean {
    return comparisonOps.equal(this, other);
  }

  // ---- reductions (ops/reduction.ts) ----

  /** See {@link reductionOps.sum}. */
  sum(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.sum(this, dim, keepdim);
  }

  /** See {@link reductionOps.mean}. */
  mean(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.mean(this, dim, keepdim);
  }

  /** See {@link reductionOps.prod}. */
  prod(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.prod(this, dim, keepdim);
  }

  /** See {@link reductionOps.amax}. */
  amax(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.amax(this, dim, keepdim);
  }

  /** See {@link reductionOps.amin}. */
  amin(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.amin(this, dim, keepdim);
  }

  /** See {@link reductionOps.logsumexp}. */
  logsumexp(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.logsumexp(this, dim, keepdim);
  }

  /** See {@link reductionOps.max}. */
  max(dim?: number | null, keepdim?: boolean): Tensor {
    return reductionOps.max(this, dim, keepdim);
  }

  /** See {@link reductionOps.min}. */
  min(dim?: number | null, keepdim?: boolean): Tensor {
    return reductionOps.min(this, dim, keepdim);
  }

  /** See {@link reductionOps.maxWithIndices}. */
  maxWithIndices(dim: number, keepdim?: boolean): reductionOps.ValuesAndIndices {
    return reductionOps.maxWithIndices(this, dim, keepdim);
  }

  /** See {@link reductionOps.minWithIndices}. */
  minWithIndices(dim: number, keepdim?: boolean): reductionOps.ValuesAndIndices {
    return reductionOps.minWithIndices(this, dim, keepdim);
  }

  /** See {@link reductionOps.argmax}. */
  argmax(dim?: number | null, keepdim?: boolean): Tensor {
    return reductionOps.argmax(this, dim, keepdim);
  }

  /** See {@link reductionOps.argmin}. */
  argmin(dim?: number | null, keepdim?: boolean): Tensor {
    return reductionOps.argmin(this, dim, keepdim);
  }

  /** The variance; see {@link reductionOps.variance}. */
  var(dim?: reductionOps.ReductionDim, options?: reductionOps.VarianceOptions): Tensor {
    return reductionOps.variance(this, dim, options);
  }

  /** See {@link reductionOps.std}. */
  std(dim?: reductionOps.ReductionDim, options?: reductionOps.VarianceOptions): Tensor {
    return reductionOps.std(this, dim, options);
  }

  /** See {@link reductionOps.all}. */
  all(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.all(this, dim, keepdim);
  }

  /** See {@link reductionOps.any}. */
  any(dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.any(this, dim, keepdim);
  }

  /** See {@link reductionOps.norm}. */
  norm(p?: number | 'fro', dim?: reductionOps.ReductionDim, keepdim?: boolean): Tensor {
    return reductionOps.norm(this, p, dim, keepdim);
  }

  // ---- activations (ops/activation.ts) ----

  /** See {@link activationOps.relu}. */
  relu(): Tensor {
    return activationOps.relu(this);
  }

  /** See {@link activationOps.relu6}. */
  relu6(): Tensor {
    return activationOps.relu6(this);
  }

  /** See {@link activationOps.leakyRelu}. */
  leakyRelu(negativeSlope?: number): Tensor {
    return activationOps.leakyRelu(this, negativeSlope);
  }

  /** See {@link activationOps.elu}. */
  elu(alpha?: number): Tensor {
    return activationOps.elu(this, alpha);
  }

  /** See {@link activationOps.selu}. */
  selu(): Tensor {
    return activationOps.selu(this);
  }

  /** See {@link activationOps.celu}. */
  celu(alpha?: number): Tensor {
    return activationOps.celu(this, alpha);
  }

  /** See {@link activationOps.gelu}. */
  gelu(options?: activationOps.GeluOptions): Tensor {
    return activationOps.gelu(this, options);
  }

  /** See {@link activationOps.silu}. */
  silu(): Tensor {
    return activationOps.silu(this);
  }

  /** See {@link activationOps.mish}. */
  mish(): Tensor {
    return activationOps.mish(this);
  }

  /** See {@link activationOps.sigmoid}. */
  sigmoid(): Tensor {
    return activationOps.sigmoid(this);
  }

  /** See {@link activationOps.logSigmoid}. */
  logSigmoid(): Tensor {
    return activationOps.logSigmoid(this);
  }

  /** See {@link activationOps.tanh}. */
  tanh(): Tensor {
    return activationOps.tanh(this);
  }

  /** See {@link activationOps.softmax}. */
  softmax(dim: number): Tensor {
    return activationOps.softmax(this, dim);
  }

  /** See {@link activationOps.logSoftmax}. */
  logSoftmax(dim: number): Tensor {
    return activationOps.logSoftmax(this, dim);
  }

  /** See {@link activationOps.softmin}. */
  softmin(dim: number): Tensor {
    return activationOps.softmin(this, dim);
  }

  /** See {@link activationOps.softplus}. */
  softplus(options?: activationOps.SoftplusOptions): Tensor {
    return activationOps.softplus(this, options);
  }

  /** See {@link activationOps.softsign}. */
  softsign(): Tensor {
    return activationOps.softsign(this);
  }

  /** See {@link activationOps.hardtanh}. */
  hardtanh(minVal?: number, maxVal?: number): Tensor {
    return activationOps.hardtanh(this, minVal, maxVal);
  }

  /** See {@link activationOps.hardswish}. */
  hardswish(): Tensor {
    return activationOps.hardswish(this);
  }

  /** See {@link activationOps.hardsigmoid}. */
  hardsigmoid(): Tensor {
    return activationOps.hardsigmoid(this);
  }

  /** See {@link activationOps.tanhshrink}. */
  tanhshrink(): Tensor {
    return activationOps.tanhshrink(this);
  }

  /** See {@link activationOps.threshold}. */
  threshold(threshold: number, value: number): Tensor {
    return activationOps.threshold(this, threshold, value);
  }

  /** See {@link activationOps.glu}. */
  glu(dim?: number): Tensor {
    return activationOps.glu(this, dim);
  }

  // ---- matrix products (ops/matmul.ts) ----

  /** See {@link matmulOps.matmul}. */
  matmul(other: Tensor): Tensor {
    return matmulOps.matmul(this, other);
  }

  /** See {@link matmulOps.mm}. */
  mm(other: Tensor): Tensor {
    return matmulOps.mm(this, other);
  }

  /** See {@link matmulOps.bmm}. */
  bmm(other: Tensor): Tensor {
    return matmulOps.bmm(this, other);
  }

  // ---- joining and indexing (ops/join.ts, ops/indexing.ts) ----

  /** This tensor and `others` concatenated along `dim`; see {@link joinOps.cat}. */
  cat(others: readonly Tensor[], dim = 0): Tensor {
    return joinOps.cat([this, ...others], dim);
  }

  /** This tensor and `others` stacked along a new `dim`; see {@link joinOps.stack}. */
  stack(others: readonly Tensor[], dim = 0): Tensor {
    return joinOps.stack([this, ...others], dim);
  }

  /** See {@link joinOps.split}. */
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return joinOps.split(this, sizeOrSections, dim);
  }

  /** See {@link joinOps.chunk}. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return joinOps.chunk(this, chunks, dim);
  }

  /** See {@link indexingOps.gather}. */
  gather(dim: number, index: Tensor): Tensor {
    return indexingOps.gather(this, dim, index);
  }

  /** See {@link indexingOps.scatter}. */
  scatter(dim: number, index: Tensor, source: Tensor | number): Tensor {
    return indexingOps.scatter(this, dim, index, source);
  }

  /** See {@link indexingOps.scatterAdd}. */
  scatterAdd(dim: number, index: Tensor, source: Tensor): Tensor {
    return indexingOps.scatterAdd(this, dim, index, source);
  }

  /** See {@link indexingOps.indexSelect}. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexingOps.indexSelect(this, dim, index);
  }

  /** See {@link indexingOps.maskedFill}. */
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor {
    return indexingOps.maskedFill(this, mask, value);
  }

  /** Basic indexing like Python's `x[1, :, 0:2]`; see {@link indexingOps.index}. */
  index(spec: readonly indexingOps.IndexSpecEntry[]): Tensor {
    return indexingOps.index(this, spec);
  }

  // ---- in-place ops (ops/in-place.ts) ----

  /** `this += alpha * other`; see {@link inPlaceOps.add_}. */
  add_(other: TensorOrScalar, options?: elementwiseOps.AddOptions): this {
    inPlaceOps.add_(this, other, options);
    return this;
  }

  /** `this -= alpha * other`; see {@link inPlaceOps.sub_}. */
  sub_(other: TensorOrScalar, options?: elementwiseOps.AddOptions): this {
    inPlaceOps.sub_(this, other, options);
    return this;
  }

  /** `this *= other`; see {@link inPlaceOps.mul_}. */
  mul_(other: TensorOrScalar): this {
    inPlaceOps.mul_(this, other);
    return this;
  }

  /** `this /= other`; see {@link inPlaceOps.div_}. */
  div_(other: TensorOrScalar, options?: elementwiseOps.DivOptions): this {
    inPlaceOps.div_(this, other, options);
    return this;
  }

  /** `this = this ** exponent`; see {@link inPlaceOps.pow_}. */
  pow_(exponent: TensorOrScalar): this {
    inPlaceOps.pow_(this, exponent);
    return this;
  }

  /** `this += value * tensor1 * tensor2`; see {@link inPlaceOps.addcmul_}. */
  addcmul_(tensor1: Tensor, tensor2: Tensor, options?: inPlaceOps.AddcOptions): this {
    inPlaceOps.addcmul_(this, tensor1, tensor2, options);
    return this;
  }

  /** `this += value * tensor1 / tensor2`; see {@link inPlaceOps.addcdiv_}. */
  addcdiv_(tensor1: Tensor, tensor2: Tensor, options?: inPlaceOps.AddcOptions): this {
    inPlaceOps.addcdiv_(this, tensor1, tensor2, options);
    return this;
  }

  /** Clamps in place; see {@link inPlaceOps.clamp_}. */
  clamp_(min?: elementwiseOps.ClampOptions | Tensor | number | null, max?: Tensor | number | null): this {
    inPlaceOps.clamp_(this, min, max);
    return this;
  }

  /** `e ** this` in place; see {@link inPlaceOps.exp_}. */
  exp_(): this {
    inPlaceOps.exp_(this);
    return this;
  }

  /** The square root in place; see {@link inPlaceOps.sqrt_}. */
  sqrt_(): this {
    inPlaceOps.sqrt_(this);
    return this;
  }

  /** `-this` in place; see {@link inPlaceOps.neg_}. */
  neg_(): this {
    inPlaceOps.neg_(this);
    return this;
  }

  /** `max(this, 0)` in place; see {@link inPlaceOps.relu_}. */
  relu_(): this {
    inPlaceOps.relu_(this);
    return this;
  }

  /** Sets every element to zero; see {@link inPlaceFillOps.zero_}. */
  zero_(): this {
    inPlaceFillOps.zero_(this);
    return this;
  }

  /** Sets every element to `value`; see {@link inPlaceFillOps.fill_}. */
  fill_(value: number | boolean | Tensor): this {
    inPlaceFillOps.fill_(this, value);
    return this;
  }

  /** Copies `source` (broadcast, converted) into this tensor; see {@link inPlaceFillOps.copy_}. */
  copy_(source: Tensor): this {
    inPlaceFillOps.copy_(this, source);
    return this;
  }

  /** Uniform samples from `[low, high)` in place; see {@link inPlaceFillOps.uniform_}. */
  uniform_(low?: number, high?: number, options?: inPlaceFillOps.RandomFillOptions): this {
    inPlaceFillOps.uniform_(this, low, high, options);
    return this;
  }

  /** Normal samples in place; see {@link inPlaceFillOps.normal_}. */
  normal_(mean?: number, std?: number, options?: inPlaceFillOps.RandomFillOptions): this {
    inPlaceFillOps.normal_(this, mean, std, options);
    return this;
  }

  /** Sets the elements where `mask` is true to `value`; see {@link inPlaceFillOps.maskedFill_}. */
  maskedFill_(mask: Tensor, value: number | boolean | Tensor): this {
    inPlaceFillOps.maskedFill_(this, mask, value);
    return this;
  }

  // ---- printing (print.ts) ----

  /** The tensor as PyTorch's `repr` prints it, e.g. `tensor([1., 2.])`; see {@link printOps.formatTensor}. */
  toString(): string {
    return printOps.formatTensor(this);
  }

  /** Makes `console.log` and `util.inspect` print what `toString()` does. */
  [printOps.inspectSymbol](): string {
    return printOps.formatTensor(this);
  }
}


/** Methods take a shape as separate numbers or as one array, like PyTorch's `x.view(2, 3)` and `x.view((2, 3))`. */
function shapeArgument(shape: number[] | [readonly number[]]): readonly number[] {
  return Array.isArray(shape[0]) ? (shape[0] as readonly number[]) : (shape as number[]);
}
