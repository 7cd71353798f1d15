/**
 * The input checks of the convolution ops, in one place so that the
 * functional ops and the layers say the same thing: messages name the op
 * (`conv2d`) or the layer (`Conv2d`), what was expected and what came.
 */
import { DTypeError, ShapeError, Tensor, checkTensor, describeKind, formatShape, isFloatingPoint } from '@strata/tensor';
import { describeOption } from './options.js';

const SPATIAL_NAMES: readonly (readonly string[])[] = [['L'], ['H', 'W'], ['D', 'H', 'W']];
const KERNEL_NAMES: readonly (readonly string[])[] = [['kL'], ['kH', 'kW'], ['kD', 'kH', 'kW']];

/**
 * Checks the tensor arguments' types and dtypes: floating-point input, weight
 * and bias (or null) of one dtype.
 * @throws TypeError for a non-tensor; DTypeError for an integer input or mixed dtypes.
 */
export function checkTensors(name: string, input: unknown, weight: unknown, bias: unknown): void {
  checkTensor(name, 'input', input);
  checkTensor(name, 'weight', weight);
  if (bias !== null && bias !== undefined && !(bias instanceof Tensor)) {
    throw new TypeError(`${name}: expected bias to be a Tensor or null, got ${describeKind(bias)}`);
  }
  const x = input as Tensor;
  if (!isFloatingPoint(x.dtype)) throw new DTypeError(`${name}: expected a floating-point input, got ${x.dtype}`);
  const w = weight as Tensor;
  if (w.dtype !== x.dtype) {
    throw new DTypeError(`${name}: expected input and weight of the same dtype, got input ${x.dtype} and weight ${w.dtype}`);
  }
  if (bias instanceof Tensor && bias.dtype !== x.dtype) {
    throw new DTypeError(`${name}: expected input and bias of the same dtype, got input ${x.dtype} and bias ${bias.dtype}`);
  }
}

/**
 * Checks the weight's rank and that its channel dimension 0 splits into groups.
 * `layout` names the dims for the message: `[outChannels, inChannels / groups, kH, kW]` for a convolution.
 * @throws ShapeError `conv2d: expected a 4-D weight [outChannels, inChannels / groups, kH, kW], got shape [3, 3]`
 */
export function checkWeight(name: string, rank: number, weight: Tensor, groups: number, transposed: boolean): void {
  const dims = transposed ? ['inChannels', 'outChannels / groups'] : ['outChannels', 'inChannels / groups'];
  if (weight.ndim !== rank + 2) {
    const layout = [...dims, ...KERNEL_NAMES[rank - 1]!].join(', ');
    throw new ShapeError(`${name}: expected a ${rank + 2}-D weight [${layout}], got shape ${formatShape(weight.shape)}`);
  }
  if (weight.shape.some((size) => size === 0)) {
    throw new ShapeError(`${name}: expected a weight with no zero-size dimension, got shape ${formatShape(weight.shape)}`);
  }
  if (weight.shape[0]! % groups !== 0) {
    throw new ShapeError(
      `${name}: the weight's ${weight.shape[0]} ${transposed ? 'input' : 'output'} channels ` +
        `(shape ${formatShape(weight.shape)}) are not divisible by groups=${groups}`,
    );
  }
}

/**
 * Checks the input's rank, channels and spatial sizes; returns whether it is batched.
 * @throws ShapeError `Conv2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 32, 32]`
 */
export function checkInput(name: string, rank: number, input: Tensor, channels: number): boolean {
  if (input.ndim !== rank + 1 && input.ndim !== rank + 2) {
    throw new ShapeError(
      `${name}: expected a ${rank + 1}-D (unbatched) or ${rank + 2}-D (batched) input, got shape ${formatShape(input.shape)}`,
    );
  }
  const batched = input.ndim === rank + 2;
  const channelDim = batched ? 1 : 0;
  if (input.shape[channelDim] !== channels) {
    const layout = [...(batched ? ['N'] : []), String(channels), ...SPATIAL_NAMES[rank - 1]!].join(', ');
    throw new ShapeError(`${name}: expected input with ${channels} channels (shape [${layout}]), got shape ${formatShape(input.shape)}`);
  }
  const spatial = input.shape.slice(channelDim + 1);
  if (spatial.some((size) => size === 0)) {
    throw new ShapeError(`${name}: expected an input with non-empty spatial dimensions, got shape ${formatShape(input.shape)}`);
  }
  return batched;
}

/**
 * Checks that the bias (if any) has one entry per output channel.
 * @throws ShapeError `conv2d: expected bias of shape [8], got shape [7]`
 */
export function checkBias(name: string, bias: Tensor | null, outChannels: number): void {
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(`${name}: expected bias of shape [${outChannels}], got shape ${formatShape(bias.shape)}`);
  }
}

/** Padding for messages: `[1, 1]`, or `[1, 1] before and [2, 2] after` when the sides differ. */
function describePadding(before: readonly number[], after: readonly number[]): string {
  const symmetric = before.every((amount, d) => amount === after[d]);
  return symmetric ? describeOption(before) : `${describeOption(before)} before and ${describeOption(after)} after`;
}

/**
 * Checks that the dilated kernel fits in the padded input.
 * @throws ShapeError `Conv2d: the dilated kernel [5, 5] is larger than the padded input [4, 4] (input [2, 2], padding [1, 1])`
 */
export function checkKernelFits(
  name: string, spatial: readonly number[], before: readonly number[], after: readonly number[], dilatedKernel: readonly number[],
): void {
  const padded = spatial.map((size, d) => size + before[d]! + after[d]!);
  if (padded.some((size, d) => size < dilatedKernel[d]!)) {
    throw new ShapeError(
      `${name}: the dilated kernel ${formatShape(dilatedKernel)} is larger than the padded input ${formatShape(padded)} ` +
        `(input ${formatShape(spatial)}, padding ${describePadding(before, after)})`,
    );
  }
}

/**
 * Checks that reflect padding stays below the input size and circular padding wraps at most once, as `F.pad` requires.
 * @throws ShapeError `Conv2d: paddingMode 'reflect' needs padding smaller than the input's spatial size, got padding [2, 2] for input [2, 5]`
 */
export function checkPaddingMode(
  name: string, mode: 'reflect' | 'replicate' | 'circular', spatial: readonly number[], before: readonly number[], after: readonly number[],
): void {
  if (mode === 'replicate') return;
  const tooLarge = (amount: number, d: number): boolean => (mode === 'reflect' ? amount >= spatial[d]! : amount > spatial[d]!);
  if (before.some(tooLarge) || after.some(tooLarge)) {
    const need = mode === 'reflect' ? 'smaller than' : 'at most';
    throw new ShapeError(
      `${name}: paddingMode '${mode}' needs padding ${need} the input's spatial size, ` +
        `got padding ${describePadding(before, after)} for input ${formatShape(spatial)}`,
    );
  }
}
