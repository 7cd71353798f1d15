/**
 * Linear maps: the functional ops `linear` and `bilinear` and the layers
 * `Linear`, `Bilinear` and `Identity`, like PyTorch's `F.linear`,
 * `F.bilinear` and `torch/nn/modules/linear.py`.
 */
import { type OpContext, defineOp } from '@strata/autograd';
import { Module, Parameter, calculateFanInAndFanOut, formatPythonBool, kaimingUniform_, uniform_ } from '@strata/module';
import {
  DTypeError,
  ShapeError,
  Tensor,
  checkTensor,
  empty,
  formatShape,
  getKernel,
  isFloatingPoint,
  matmul,
  numelOf,
  registerKernel,
} from '@strata/tensor';
import { linearKernel } from './kernels/linear.js';
import { type LinearOptions, type ResolvedLinearOptions, checkSize, resolveLinearOptions } from './options.js';

declare module '@strata/tensor' {
  interface KernelRegistry {
    /** `input · weightᵀ + bias`: input [M, K], weight [N, K], bias [N] or null, one float dtype → [M, N]. */
    linear: (input: Tensor, weight: Tensor, bias: Tensor | null) => Tensor;
  }
}

registerKernel('linear', linearKernel);

/**
 * The 2-D product as a differentiable op. Its backward is written with
 * `matmul` and `sum`, so it is differentiable itself (`createGraph`).
 */
const linearOp: (input: Tensor, weight: Tensor, bias: Tensor | null) => Tensor = defineOp({
  name: 'linear',
  forward(ctx: OpContext, input: Tensor, weight: Tensor, bias: Tensor | null) {
    ctx.saveForBackward(input, weight);
    return getKernel('linear')(input, weight, bias);
  },
  backward(ctx, gradOutput) {
    const [input, weight] = ctx.savedTensors as [Tensor, Tensor];
    return [
      ctx.needsInputGrad[0] ? matmul(gradOutput, weight) : null,
      ctx.needsInputGrad[1] ? matmul(gradOutput.t(), input) : null,
      ctx.needsInputGrad[2] ? gradOutput.sum(0) : null,
    ];
  },
});

function checkSameFloatDType(name: string, tensors: readonly (readonly [string, Tensor | null])[]): void {
  const present = tensors.filter((entry): entry is readonly [string, Tensor] => entry[1] !== null);
  const dtype = present[0]![1].dtype;
  if (isFloatingPoint(dtype) && present.every(([, tensor]) => tensor.dtype === dtype)) return;
  throw new DTypeError(
    `${name}: expected ${listWords(present.map(([argument]) => argument))} of one floating point dtype, got ${listWords(present.map(([, tensor]) => tensor.dtype))}`,
  );
}

/** `a`, `a and b`, `a, b and c`. */
function listWords(words: readonly string[]): string {
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function checkBias(name: string, bias: Tensor | null, outFeatures: number): void {
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`${name}: expected a bias of shape [${outFeatures}], got shape ${formatShape(bias.shape)}`);
  }
}

/**
 * The checks and the computation of `linear` and `Linear` (`name` is what
 * messages call it).
 */
export function linearNd(name: string, input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  checkTensor(name, 'input', input);
  checkTensor(name, 'weight', weight);
  if (bias !== null) checkTensor(name, 'bias', bias);
  if (weight.ndim !== 2) {
    throw new ShapeError(`${name}: expected a 2-D weight [outFeatures, inFeatures], got shape ${formatShape(weight.shape)}`);
  }
  if (input.ndim === 0) throw new ShapeError(`${name}: expected an input with at least 1 dimension ([..., inFeatures]), got shape []`);
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  const features = input.shape[input.ndim - 1]!;
  if (features !== inFeatures) {
    throw new ShapeError(
      `${name}: expected the input's last dimension to be ${inFeatures} (weight shape ${formatShape(weight.shape)}), got input shape ${formatShape(input.shape)}`,
    );
  }
  checkBias(name, bias, outFeatures);
  checkSameFloatDType(name, [['input', input], ['weight', weight], ['bias', bias]]);
  // A 2-D input needs no reshaping (a reshape would be one more recorded node).
  if (input.ndim === 2) return linearOp(input, weight, bias);
  const leading = input.shape.slice(0, -1);
  const output = linearOp(input.reshape([numelOf(leading), inFeatures]), weight, bias);
  return output.reshape([...leading, outFeatures]);
}

/**
 * Applies a linear transformation, like `torch.nn.functional.linear`:
 * `y = x · Wᵀ + b`.
 *
 * **Shape**: input `[*, inFeatures]` (any number of leading dimensions,
 * none included); weight `[outFeatures, inFeatures]`; bias `[outFeatures]`;
 * output `[*, outFeatures]`.
 *
 * @param bias - added to every output row; `null` (the default) for none.
 * @throws ShapeError when the weight is not 2-D, the input's last dimension
 * is not the weight's second, or the bias is not `[outFeatures]`.
 * @throws DTypeError when the tensors are not all of one float dtype.
 *
 * @example
 * ```ts
 * linear(randn([8, 5, 3]), randn([4, 3]), zeros([4])).shape; // [8, 5, 4]
 * ```
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearNd('linear', input, weight, bias);
}

/**
 * The checks and the computation of `bilinear` and `Bilinear`.
 */
export function bilinearNd(name: string, input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  checkTensor(name, 'input1', input1);
  checkTensor(name, 'input2', input2);
  checkTensor(name, 'weight', weight);
  if (bias !== null) checkTensor(name, 'bias', bias);
  if (weight.ndim !== 3) {
    throw new ShapeError(`${name}: expected a 3-D weight [outFeatures, in1Features, in2Features], got shape ${formatShape(weight.shape)}`);
  }
  if (input1.ndim === 0 || input2.ndim === 0) {
    throw new ShapeError(`${name}: expected inputs with at least 1 dimension, got shapes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}`);
  }
  if (input1.ndim !== input2.ndim) throw new ShapeError(`${name}: input dimensions do not match: got ${input1.ndim} and ${input2.ndim}`);
  const leading = input1.shape.slice(0, -1);
  if (leading.some((size, d) => size !== input2.shape[d])) {
    throw new ShapeError(
      `${name}: input batch dimensions do not match: got shapes ${formatShape(input1.shape)} and ${formatShape(input2.shape)}`,
    );
  }
  const [outFeatures, in1Features, in2Features] = weight.shape as [number, number, number];
  if (input1.shape[input1.ndim - 1] !== in1Features) {
    throw new ShapeError(`${name}: input1 size does not match weight size: got ${input1.shape[input1.ndim - 1]} but expected ${in1Features}`);
  }
  if (input2.shape[input2.ndim - 1] !== in2Features) {
    throw new ShapeError(`${name}: input2 size does not match weight size: got ${input2.shape[input2.ndim - 1]} but expected ${in2Features}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`${name}: bias size does not match weight size: got shape ${formatShape(bias.shape)} but expected [${outFeatures}]`);
  }
  checkSameFloatDType(name, [['input1', input1], ['input2', input2], ['weight', weight], ['bias', bias]]);
  const rows = numelOf(leading);
  // y[m, o] = Σ_i Σ_j x1[m, i] · W[o, i, j] · x2[m, j]: first contract i with one matrix
  // product, then j with a batched one. Every step is a recorded op, so the gradients
  // (and their own gradients) come from the ops' formulas.
  const weightMatrix = weight.permute([1, 0, 2]).reshape([in1Features, outFeatures * in2Features]);
  const partial = matmul(input1.reshape([rows, in1Features]), weightMatrix).reshape([rows, outFeatures, in2Features]);
  let output = matmul(partial, input2.reshape([rows, in2Features, 1])).reshape([rows, outFeatures]);
  if (bias !== null) output = output.add(bias);
  return output.reshape([...leading, outFeatures]);
}

/**
 * Applies a bilinear transformation, like `torch.nn.functional.bilinear`:
 * `y[o] = x1ᵀ · W[o] · x2 + b[o]`.
 *
 * **Shape**: input1 `[*, in1Features]`, input2 `[*, in2Features]` (the same
 * leading dimensions, none included); weight `[outFeatures, in1Features,
 * in2Features]`; bias `[outFeatures]`; output `[*, outFeatures]`.
 *
 * @throws ShapeError for mismatched ranks, leading dimensions or feature sizes (PyTorch's messages).
 * @throws DTypeError when the tensors are not all of one float dtype.
 *
 * @example
 * ```ts
 * bilinear(randn([128, 20]), randn([128, 30]), randn([40, 20, 30])).shape; // [128, 40]
 * ```
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return bilinearNd('bilinear', input1, input2, weight, bias);
}

/**
 * A fully connected layer, like `torch.nn.Linear`: `y = x · Wᵀ + b`.
 *
 * **Shape**: input `[*, inFeatures]` → output `[*, outFeatures]` (any
 * number of leading dimensions, none included).
 *
 * **Attributes**: `weight` `[outFeatures, inFeatures]` from Kaiming uniform
 * with a = √5, i.e. U(−1/√inFeatures, 1/√inFeatures); `bias` `[outFeatures]`
 * from the same range (`null` with `bias: false`).
 *
 * @example
 * ```ts
 * const layer = new Linear(20, 30);
 * layer.forward(randn([128, 20])).shape; // [128, 30]
 * layer.toString(); // 'Linear(in_features=20, out_features=30, bias=True)'
 * ```
 */
export class Linear extends Module {
  /** The size of each input sample: the last dimension of the input (PyTorch's `in_features`). */
  readonly inFeatures: number;
  /** The size of each output sample: the last dimension of the output (PyTorch's `out_features`). */
  readonly outFeatures: number;
  /** The learnable weight `[outFeatures, inFeatures]`. */
  weight: Parameter;
  /** The learnable bias `[outFeatures]`, or `null`. */
  bias!: Parameter | null;
  /** The constructor's options, checked and frozen (whether the layer was built with a bias). */
  protected readonly options: ResolvedLinearOptions;

  /** @throws RangeError for a size that is not a non-negative integer, or a non-boolean `bias`. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkSize('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkSize('Linear', 'outFeatures', outFeatures);
    this.options = resolveLinearOptions('Linear', options);
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    if (this.options.bias) this.bias = new Parameter(empty([outFeatures]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** PyTorch's initialization: Kaiming uniform (a = √5) for the weight, U(−1/√fanIn, 1/√fanIn) for the bias. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** @throws ShapeError, DTypeError for an input that does not fit (see {@link linear}). */
  forward(input: Tensor): Tensor {
    return linearNd('Linear', input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${formatPythonBool(this.bias !== null)}`;
  }
}

/**
 * A bilinear layer, like `torch.nn.Bilinear`: `y[o] = x1ᵀ · W[o] · x2 + b[o]`.
 *
 * **Shape**: inputs `[*, in1Features]` and `[*, in2Features]` (the same
 * leading dimensions) → output `[*, outFeatures]`.
 *
 * **Attributes**: `weight` `[outFeatures, in1Features, in2Features]` and
 * `bias` `[outFeatures]`, both from U(−1/√in1Features, 1/√in1Features).
 *
 * @example
 * ```ts
 * const layer = new Bilinear(20, 30, 40);
 * layer.forward(randn([128, 20]), randn([128, 30])).shape; // [128, 40]
 * ```
 */
export class Bilinear extends Module {
  /** The size of each sample of the first input: its last dimension (PyTorch's `in1_features`). */
  readonly in1Features: number;
  /** The size of each sample of the second input: its last dimension (PyTorch's `in2_features`). */
  readonly in2Features: number;
  /** The size of each output sample: the last dimension of the output (PyTorch's `out_features`). */
  readonly outFeatures: number;
  /** The learnable weight `[outFeatures, in1Features, in2Features]`. */
  weight: Parameter;
  /** The learnable bias `[outFeatures]`, or `null`. */
  bias!: Parameter | null;
  /** The constructor's options, checked and frozen (whether the layer was built with a bias). */
  protected readonly options: ResolvedLinearOptions;

  /**
   * @throws RangeError for sizes that are not integers (`in1Features` must be
   * positive: the initialization divides by its square root), or a non-boolean `bias`.
   */
  constructor(in1Features: number, in2Features: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.in1Features = checkSize('Bilinear', 'in1Features', in1Features, 1);
    this.in2Features = checkSize('Bilinear', 'in2Features', in2Features);
    this.outFeatures = checkSize('Bilinear', 'outFeatures', outFeatures);
    this.options = resolveLinearOptions('Bilinear', options);
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features]));
    if (this.options.bias) this.bias = new Parameter(empty([outFeatures]));
    else this.registerParameter('bias', null);
    this.resetParameters();
  }

  /** PyTorch's initialization: weight and bias from U(−1/√in1Features, 1/√in1Features). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  /** @throws ShapeError, DTypeError for inputs that do not fit (see {@link bilinear}). */
  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinearNd('Bilinear', input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${formatPythonBool(this.bias !== null)}`;
  }
}

/**
 * A placeholder that returns its input, like `torch.nn.Identity`; it takes
 * (and ignores) any constructor arguments, so it can stand in for another layer.
 *
 * @example
 * ```ts
 * const x = randn([128, 20]);
 * new Identity(54, { unused: 'argumentModel' }).forward(x) === x; // true
 * ```
 */
export class Identity extends Module {
  // PyTorch's Identity accepts and ignores any arguments.
  constructor(..._ignored: unknown[]) {
    super();
  }

  /** Returns `input` itself. */
  forward(input: Tensor): Tensor {
    checkTensor('Identity', 'input', input);
    return input;
  }
}
