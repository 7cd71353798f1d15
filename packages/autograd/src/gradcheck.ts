import { DTypeError, Tensor, formatShape, randn, tensor as makeTensor } from '@strata/tensor';

import { grad } from './grad.js';
import { enableGrad, noGrad } from './grad-mode.js';

/** Options of {@link gradcheck} and {@link gradgradcheck}. */
export interface GradcheckOptions {
  /**
   * The step of the central differences.
   * @defaultValue `1e-6`
   */
  eps?: number;
  /**
   * Absolute tolerance: an analytical value passes when
   * `|analytical - numerical| <= atol + rtol * |numerical|`.
   * @defaultValue `1e-5`
   */
  atol?: number;
  /**
   * Relative tolerance (see `atol`).
   * @defaultValue `1e-3`
   */
  rtol?: number;
  /**
   * The gradient of each output to check the vector-Jacobian product
   * against (one tensor, or one per output). Without it the whole Jacobian is
   * checked when the outputs are small, and a random projection otherwise.
   */
  gradOutput?: Tensor | readonly Tensor[];
}

/** Outputs with at most this many elements have their Jacobian checked row by row. */
const FULL_JACOBIAN_LIMIT = 64;

/**
 * Checks the gradients of `fn` against finite differences, like
 * `torch.autograd.gradcheck`. Each input element is perturbed by `±eps` and
 * the central difference of the outputs is compared with what backward
 * computes: the whole Jacobian when the outputs have at most 64 elements,
 * else the vector-Jacobian product with a random output gradient (or
 * `gradOutput`).
 *
 * Inputs that require grad must be float64 (float32 rounding swamps the
 * differences); other inputs (indices, masks) are passed through unchanged.
 *
 * @returns `true` when every value is within tolerance.
 * @throws DTypeError when an input that requires grad, or an output, is not float64.
 * @throws TypeError when `fn` is not a function or an input is not a Tensor.
 * @throws RangeError when `eps` is not positive or a tolerance is negative.
 * @throws Error when no input or no output requires grad, when `gradOutput`
 * does not hold one tensor per output, or describing the worst mismatch: the
 * input, the element, the numerical and the analytical value.
 *
 * @example
 * ```ts
 * const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
 * gradcheck((a) => a.exp().sum(1), [x]); // true
 * ```
 */
export function gradcheck<Inputs extends readonly Tensor[]>(
  fn: (...inputs: Inputs) => Tensor | readonly Tensor[],
  inputs: Inputs,
  options: GradcheckOptions = {},
): true {
  const { eps, atol, rtol } = resolveTolerances('gradcheck', options);
  checkFunction('gradcheck', fn);
  const differentiable = checkInputs('gradcheck', inputs);
  const outputs = asList(fn(...inputs));
  const checkedIndices = outputs.flatMap((output, i) => (output.requiresGrad ? [i] : []));
  const checked = checkedIndices.map((i) => outputs[i]!);
  if (checked.length === 0) throw new Error('gradcheck: no output of the function requires grad');
  for (const output of checked) {
    if (output.dtype !== 'float64') {
      throw new DTypeError(`gradcheck: outputs must be float64 for a precise check, got ${output.dtype}`);
    }
  }
  const evaluate = (): Float64Array[] =>
    noGrad(() => {
      const values = asList(fn(...inputs));
      return checkedIndices.map((i) => toFloat64(values[i]!));
    });

  // Each row: an output gradient (one-hot rows of the Jacobian, or a projection).
  const rows: Tensor[][] = [];
  const given = options.gradOutput === undefined ? null : asList(options.gradOutput);
  const outputSize = checked.reduce((total, output) => total + output.numel(), 0);
  if (given !== null) {
    if (given.length !== checked.length) {
      throw new Error(`gradcheck: got ${given.length} gradOutput tensors for ${checked.length} outputs that require grad`);
    }
    rows.push(given.map((gradient, i) => gradient.to('float64').reshape(checked[i]!.shape)));
  } else if (outputSize <= FULL_JACOBIAN_LIMIT) {
    for (let o = 0; o < checked.length; o++) {
      for (let e = 0; e < checked[o]!.numel(); e++) {
        rows.push(checked.map((output, j) => oneHot(output.shape, j === o ? e : -1)));
      }
    }
  } else {
    rows.push(checked.map((output) => randn(output.shape, { dtype: 'float64' })));
  }

  // The central differences of every output, per perturbed input element.
  const differences = differentiable.map((i) => centralDifferences(inputs[i]!, evaluate, eps));
  let worst: Mismatch | null = null;
  for (const row of rows) {
    const analytical = grad(checked, differentiable.map((i) => inputs[i]!), row, { retainGraph: true, allowUnused: true });
    const weights = concatenate(row.map((gradient) => toFloat64(gradient)));
    for (let d = 0; d < differentiable.length; d++) {
      const input = inputs[differentiable[d]!]!;
      const numerical = differences[d]!.map((difference) => dot(weights, difference));
      const computed = analytical[d] === null ? new Float64Array(input.numel()) : toFloat64(analytical[d]!);
      for (let e = 0; e < numerical.length; e++) {
        const difference = Math.abs(computed[e]! - numerical[e]!);
        const excess = difference - (atol + rtol * Math.abs(numerical[e]!));
        if ((excess > 0 || Number.isNaN(difference)) && (worst === null || excess > worst.excess || Number.isNaN(excess))) {
          worst = { input: differentiable[d]!, element: e, numerical: numerical[e]!, analytical: computed[e]!, excess, row };
        }
      }
    }
  }
  if (worst !== null) throw new Error(describeMismatch(worst, inputs, rows.length, given !== null, atol, rtol));
  return true;
}

/**
 * Checks second derivatives: that the gradients of `fn` (computed with
 * `createGraph`) themselves pass {@link gradcheck}, like
 * `torch.autograd.gradgradcheck`. The output gradients are random float64
 * tensors that require grad.
 *
 * @throws like {@link gradcheck}.
 */
export function gradgradcheck<Inputs extends readonly Tensor[]>(
  fn: (...inputs: Inputs) => Tensor | readonly Tensor[],
  inputs: Inputs,
  options: Omit<GradcheckOptions, 'gradOutput'> = {},
): true {
  resolveTolerances('gradgradcheck', options);
  checkFunction('gradgradcheck', fn);
  const differentiable = checkInputs('gradgradcheck', inputs);
  const outputs = asList(fn(...inputs)).filter((output) => output.requiresGrad);
  const gradOutputs = outputs.map((output) => randn(output.shape, { dtype: 'float64', requiresGrad: true }));
  const count = inputs.length;
  // Runs with grad mode on even while gradcheck evaluates it under noGrad: computing gradients needs the graph.
  const firstOrder = (...all: Tensor[]): Tensor[] =>
    enableGrad(() => {
      const forwardInputs = all.slice(0, count) as unknown as Inputs;
      const results = asList(fn(...forwardInputs)).filter((output) => output.requiresGrad);
      const gradients = grad(results, differentiable.map((i) => all[i]!), all.slice(count), {
        createGraph: true,
        allowUnused: true,
      });
      return gradients.filter((gradient): gradient is Tensor => gradient !== null);
    });
  return gradcheck(firstOrder, [...inputs, ...gradOutputs], options);
}

interface Mismatch {
  input: number;
  element: number;
  numerical: number;
  analytical: number;
  excess: number;
  row: readonly Tensor[];
}

/** The step and tolerances, defaulted and checked. */
function resolveTolerances(operation: string, options: GradcheckOptions): { eps: number; atol: number; rtol: number } {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  if (!(eps > 0) || !Number.isFinite(eps)) throw new RangeError(`${operation}: eps must be a positive finite number, got ${eps}`);
  if (!(atol >= 0) || !(rtol >= 0)) {
    throw new RangeError(`${operation}: atol and rtol must be non-negative numbers, got atol=${atol}, rtol=${rtol}`);
  }
  return { eps, atol, rtol };
}

function checkFunction(operation: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${operation}: expected fn to be a function, got ${fn === null ? 'null' : typeof fn}`);
}

/** The indices of the inputs that require grad, after checking they are float64. */
function checkInputs(operation: string, inputs: readonly Tensor[]): number[] {
  const differentiable: number[] = [];
  inputs.forEach((input, i) => {
    if (!(input instanceof Tensor)) throw new TypeError(`${operation}: input ${i} is not a Tensor`);
    if (!input.requiresGrad) return;
    if (input.dtype !== 'float64') {
      throw new DTypeError(
        `${operation}: input ${i} requires grad but is ${input.dtype}; inputs that require grad must be float64 for a precise check`,
      );
    }
    differentiable.push(i);
  });
  if (differentiable.length === 0) {
    throw new Error(`${operation}: at least one input must be a float64 tensor that requires grad`);
  }
  return differentiable;
}

/**
 * For each element of `input`: `(f(x + eps) - f(x - eps)) / 2eps` over all
 * outputs (concatenated), with the element perturbed in place in the input's
 * storage and restored afterwards.
 */
function centralDifferences(input: Tensor, evaluate: () => Float64Array[], eps: number): Float64Array[] {
  const count = input.numel();
  const result: Float64Array[] = [];
  const data = input.storage.data;
  for (let e = 0; e < count; e++) {
    const position = storageIndex(input, e);
    const original = data[position]!;
    data[position] = original + eps;
    const plus = concatenate(evaluate());
    data[position] = original - eps;
    const minus = concatenate(evaluate());
    data[position] = original;
    for (let k = 0; k < plus.length; k++) plus[k] = (plus[k]! - minus[k]!) / (2 * eps);
    result.push(plus);
  }
  return result;
}

function concatenate(parts: readonly Float64Array[]): Float64Array {
  const result = new Float64Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}

/** The storage index of the `element`-th element (row-major) of a strided tensor. */
function storageIndex(input: Tensor, element: number): number {
  let position = input.offset;
  let rest = element;
  for (let d = input.ndim - 1; d >= 0; d--) {
    const size = input.shape[d]!;
    position += (rest % size) * input.strides[d]!;
    rest = Math.floor(rest / size);
  }
  return position;
}

function multiIndex(shape: readonly number[], element: number): number[] {
  const index = new Array<number>(shape.length);
  let rest = element;
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return index;
}

function oneHot(shape: readonly number[], element: number): Tensor {
  const count = shape.reduce((product, size) => product * size, 1);
  const data = new Float64Array(count);
  if (element >= 0) data[element] = 1;
  return makeTensor(data, { shape });
}

/** A fresh float64 copy of the elements (never the storage itself, which the next evaluation may change). */
function toFloat64(value: Tensor): Float64Array {
  return Float64Array.from(value.contiguousData());
}

function describeMismatch(
  worst: Mismatch,
  inputs: readonly Tensor[],
  rowCount: number,
  givenGradient: boolean,
  atol: number,
  rtol: number,
): string {
  const input = inputs[worst.input]!;
  const index = multiIndex(input.shape, worst.element);
  const how = givenGradient
    ? 'for the given gradOutput'
    : rowCount === 1
      ? 'for a random gradOutput'
      : `for the Jacobian row with gradOutput ${describeRow(worst.row)}`;
  return (
    `gradcheck: Jacobian mismatch for input ${worst.input} (shape ${formatShape(input.shape)}) at element ${formatShape(index)} ${how}: ` +
    `numerical ${worst.numerical}, analytical ${worst.analytical} ` +
    `(difference ${Math.abs(worst.numerical - worst.analytical)} exceeds atol ${atol} + rtol ${rtol} * |numerical|)`
  );
}

function describeRow(row: readonly Tensor[]): string {
  for (let o = 0; o < row.length; o++) {
    const data = row[o]!.contiguousData();
    const element = data.indexOf(1);
    if (element >= 0) return `one-hot at output ${o} element ${formatShape(multiIndex(row[o]!.shape, element))}`;
  }
  return 'zero';
}

function asList(value: Tensor | readonly Tensor[]): readonly Tensor[] {
  return value instanceof Tensor ? [value] : value;
}
