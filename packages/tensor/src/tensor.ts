import { type DType, type TypedArray, allocate, dtypeOfArray, isFloatingPoint } from './dtype.js';
import { DTypeError, formatShape } from './errors.js';
import {
  type BackwardOptions,
  type GradientNode,
  gradientRecorder,
} from './gradient-recording.js';
import { copyStrided } from './kernels/strided.js';
import { contiguousStrides, numelOf, normalizeDim } from './shape.js';
import * as castOps from './ops/cast.js';
import * as matmulOps from './ops/matmul.js';
import * as viewOps from './ops/views.js';
import { Storage } from './storage.js';

/** A nested array of numbers or booleans, as `tolist()` returns and `tensor()` takes. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * A function called with a tensor's gradient during backward; returning a
 * tensor replaces the gradient.
 */
export type GradientHook = (gradient: Tensor) => Tensor | void;

/** A handle whose `remove()` unregisters a hook. */
export interface RemovableHandle {
  remove(): void;
}

/**
 * An n-dimensional array of one dtype: a typed-array storage read through a
 * shape, strides and an offset. Views (reshape, transpose, narrow, ...) share
 * the storage and copy nothing.
 *
 * Create tensors with `tensor`, `zeros`, `randn` and the other creation
 * functions rather than with this constructor.
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

  /** A new contiguous tensor that owns `data` (row-major, `shape`). */
  static fromData(data: TypedArray, shape: readonly number[]): Tensor {
    return new Tensor(new Storage(data), shape);
  }

  /** Whether operations on this tensor are recorded for gradients. */
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

  /** Sets `requiresGrad` (default `true`) and returns this tensor, like PyTorch's `requires_grad_()`. */
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
    const result = allocate(this.dtype, count);
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
   */
  backward(gradient: Tensor | null = null, options: BackwardOptions = {}): void {
    const recorder = gradientRecorder();
    if (recorder === null) {
      throw new Error("backward: gradients need '@strata/autograd'; install it and import it once (import '@strata/autograd')");
    }
    recorder.backward(this, gradient, options);
  }

  /** Keeps `grad` for this non-leaf tensor after backward. */
  retainGrad(): this {
    if (!this.requiresGrad) {
      throw new Error("retainGrad: can't retain the gradient of a tensor that does not require grad");
    }
    if (this.gradFn !== null) this.retainsGrad = true;
    return this;
  }

  /** Registers a hook called with this tensor's gradient during backward. */
  registerHook(hook: GradientHook): RemovableHandle {
    if (!this.requiresGrad) {
      throw new Error("registerHook: can't register a hook on a tensor that doesn't require gradient");
    }
    this.gradientHooks.push(hook);
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

  // ---- comparisons (ops/comparison.ts) ----

  // ---- reductions (ops/reduction.ts) ----

  // ---- activations (ops/activation.ts) ----

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

  // ---- in-place ops (ops/in-place.ts) ----

  // ---- printing (print.ts) ----
}


/** Methods take a shape as separate numbers or as one array, like PyTorch's `x.view(2, 3)` and `x.view((2, 3))`. */
function shapeArgument(shape: number[] | [readonly number[]]): readonly number[] {
  return Array.isArray(shape[0]) ? (shape[0] as readonly number[]) : (shape as number[]);
}
