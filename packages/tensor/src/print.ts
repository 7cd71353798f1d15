import type { DType, TypedArray } from './dtype.js';
import type { Tensor } from './tensor.js';
import { describeKind } from './checks.js';

// Printing follows PyTorch's torch/_tensor_str.py rule for rule, so a tensor
// prints here exactly as the same tensor prints in PyTorch, apart from the
// names (`requiresGrad=true`, `gradFn=<AddBackward>`, `dtype=float64`) and
// int32, which prints as PyTorch's default integer type int64 does.

/** How tensors print, like the options of `torch.set_printoptions`. */
export interface PrintOptions {
  /**
   * Digits after the decimal point for floating-point elements.
   * @defaultValue `4`
   */
  precision: number;
  /**
   * Tensors with more elements than this print summarized, with `...`.
   * @defaultValue `1000`
   */
  threshold: number;
  /**
   * Elements printed at each end of a summarized dimension.
   * @defaultValue `3`
   */
  edgeItems: number;
  /**
   * Characters per line before a row wraps.
   * @defaultValue `80`
   */
  lineWidth: number;
  /**
   * `true` or `false` forces scientific notation on or off; `null` chooses
   * per tensor, as PyTorch does.
   * @defaultValue `null`
   */
  sciMode: boolean | null;
}

const defaultPrintOptions: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeItems: 3,
  lineWidth: 80,
  sciMode: null,
});

let printOptions: PrintOptions = { ...defaultPrintOptions };

/**
 * Changes how tensors print, like `torch.set_printoptions`; keys left out
 * keep their value, `'default'` restores every default. Returns the previous
 * options, to restore them later.
 *
 * @throws RangeError for a negative or non-integer precision, threshold, edgeItems or lineWidth.
 * @example
 * ```ts
 * const previous = setPrintOptions({ precision: 2 });
 * String(tensor([1.2345])); // 'tensor([1.23])'
 * setPrintOptions(previous);
 * ```
 */
export function setPrintOptions(options: Partial<PrintOptions> | 'default'): PrintOptions {
  const previous = { ...printOptions };
  const next = options === 'default' ? { ...defaultPrintOptions } : { ...printOptions, ...options };
  for (const key of ['precision', 'threshold', 'edgeItems', 'lineWidth'] as const) {
    const value = next[key];
    if (!(Number.isInteger(value) || value === Number.POSITIVE_INFINITY) || value < 0) {
      throw new RangeError(`setPrintOptions: ${key} must be a non-negative integer, got ${value}`);
    }
  }
  printOptions = next;
  return previous;
}

/** The current print options. */
export function getPrintOptions(): PrintOptions {
  return { ...printOptions };
}

/** The sign, binary mantissa and exponent of a finite double: `|x| = mantissa * 2^exponent`. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa, exponent: -1074 };
  mantissa |= 1n << 52n;
  return { mantissa, exponent: biased - 1075 };
}

/** `numerator / denominator` rounded to the nearest integer, ties to even (as Python's float formatting). */
function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder === denominator) return quotient + (quotient & 1n);
  return quotient;
}

/** `|value| * 10^power`, exactly, rounded half to even. */
function scaledInteger(value: number, power: number): bigint {
  const { mantissa, exponent } = decompose(value);
  let numerator = mantissa * (power > 0 ? 10n ** BigInt(power) : 1n);
  let denominator = power < 0 ? 10n ** BigInt(-power) : 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  return roundHalfEven(numerator, denominator);
}

function nonFinite(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

function signOf(value: number): string {
  return value < 0 || Object.is(value, -0) ? '-' : '';
}

/** Python's `'{:.<digits>f}'.format(value)`: exact, ties to even, `-0.0000` kept. */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const digitsText = scaledInteger(value, digits).toString().padStart(digits + 1, '0');
  const integerPart = digitsText.slice(0, digitsText.length - digits);
  const fraction = digits > 0 ? `.${digitsText.slice(digitsText.length - digits)}` : '';
  return `${signOf(value)}${integerPart}${fraction}`;
}

/** Python's `'{:.<digits>e}'.format(value)`: exact, ties to even, at least two exponent digits. */
export function formatScientific(value: number, digits: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  let exponent = 0;
  let significand = 0n;
  if (value !== 0) {
    exponent = Math.floor(Math.log10(Math.abs(value)));
    const lower = 10n ** BigInt(digits);
    // log10 can be off by one next to a power of ten, and rounding can carry into a new digit.
    for (let attempt = 0; attempt < 4; attempt++) {
      significand = scaledInteger(value, digits - exponent);
      if (significand >= lower * 10n) exponent++;
      else if (significand < lower) exponent--;
      else break;
    }
  }
  const text = significand.toString().padStart(digits + 1, '0');
  const mantissa = digits > 0 ? `${text[0]}.${text.slice(1)}` : text;
  const exponentText = String(Math.abs(exponent)).padStart(2, '0');
  return `${signOf(value)}${mantissa}e${exponent < 0 ? '-' : '+'}${exponentText}`;
}

/** PyTorch's `_Formatter`: one element width and notation for the whole tensor. */
class ElementFormatter {
  private readonly floating: boolean;
  private readonly bool: boolean;
  private intMode = true;
  private sciMode = false;
  readonly precision: number;
  width = 1;

  constructor(values: TypedArray | readonly number[], dtype: DType, options: PrintOptions) {
    this.floating = dtype === 'float32' || dtype === 'float64';
    this.bool = dtype === 'bool';
    this.precision = options.precision;
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) this.width = Math.max(this.width, this.plain(values[i]!).length);
      return;
    }
    const finite: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (Number.isFinite(value) && value !== 0) finite.push(value);
    }
    if (finite.length > 0) this.measure(finite);
    if (options.sciMode !== null) this.sciMode = options.sciMode;
  }

  private measure(finite: readonly number[]): void {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const value of finite) {
      const magnitude = Math.abs(value);
      min = Math.min(min, magnitude);
      max = Math.max(max, magnitude);
      if (value !== Math.ceil(value)) this.intMode = false;
    }
    const wideRange = max / min > 1000 || max > 1e8;
    if (this.intMode) {
      this.sciMode = wideRange;
      for (const value of finite) {
        // An integer-valued float prints with a trailing '.', one more character.
        const length = this.sciMode ? formatScientific(value, this.precision).length : formatFixed(value, 0).length + 1;
        this.width = Math.max(this.width, length);
      }
    } else {
      this.sciMode = wideRange || min < 1e-4;
      for (const value of finite) {
        const text = this.sciMode ? formatScientific(value, this.precision) : formatFixed(value, this.precision);
        this.width = Math.max(this.width, text.length);
      }
    }
  }

  private plain(value: number): string {
    if (this.bool) return value !== 0 ? 'True' : 'False';
    return String(value);
  }

  /** One element, padded on the left to the common width. */
  format(value: number): string {
    let text: string;
    if (!this.floating) text = this.plain(value);
    else if (this.sciMode) text = formatScientific(value, this.precision);
    else if (this.intMode) text = formatFixed(value, 0) + (Number.isFinite(value) ? '.' : '');
    else text = formatFixed(value, this.precision);
    return text.padStart(this.width);
  }
}

/** Positions printed along a dimension of `size`: all, or the edges when summarizing. */
function shownPositions(size: number, summarize: boolean, edgeItems: number): { head: number[]; tail: number[] } {
  const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  if (summarize && size > 2 * edgeItems) return { head: range(0, edgeItems), tail: range(size - edgeItems, size) };
  return { head: range(0, size), tail: [] };
}

/** Renders the row-major elements of one tensor as PyTorch's `_tensor_str` does. */
class TensorRenderer {
  private readonly strides: number[];

  constructor(
    private readonly data: TypedArray,
    private readonly shape: readonly number[],
    private readonly summarize: boolean,
    private readonly options: PrintOptions,
  ) {
    this.strides = shape.map(() => 1);
    for (let d = shape.length - 2; d >= 0; d--) this.strides[d] = this.strides[d + 1]! * shape[d + 1]!;
  }

  /** The elements the formatter measures: all of them, or those a summary shows. */
  shownValues(): number[] {
    const values: number[] = [];
    const visit = (dim: number, offset: number): void => {
      if (dim === this.shape.length) {
        values.push(this.data[offset]!);
        return;
      }
      const { head, tail } = shownPositions(this.shape[dim]!, this.summarize, this.options.edgeItems);
      for (const position of [...head, ...tail]) visit(dim + 1, offset + position * this.strides[dim]!);
    };
    visit(0, 0);
    return values;
  }

  render(formatter: ElementFormatter, dim: number, offset: number, indent: number): string {
    const size = this.shape[dim]!;
    const { head, tail } = shownPositions(size, this.summarize, this.options.edgeItems);
    const summarized = this.summarize && size > 2 * this.options.edgeItems;
    if (dim === this.shape.length - 1) {
      const element = (position: number): string => formatter.format(this.data[offset + position]!);
      const items =
        this.summarize && this.options.edgeItems === 0
          ? ['...']
          : summarized
            ? [...head.map(element), ' ...', ...tail.map(element)]
            : head.map(element);
      const perLine = Math.max(1, Math.floor((this.options.lineWidth - indent) / (formatter.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const stride = this.strides[dim]!;
    const child = (position: number): string => this.render(formatter, dim + 1, offset + position * stride, indent + 1);
    const slices = summarized ? [...head.map(child), '...', ...tail.map(child)] : head.map(child);
    const separator = `,${'\n'.repeat(this.shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
    return `[${slices.join(separator)}]`;
  }
}

/** PyTorch's `_add_suffixes`: `, suffix` on the last line while it fits, else on a new line. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, lineWidth: number): string {
  const parts = [text];
  let lastLineLength = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > lineWidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/** The backward node's class name as PyTorch prints it: `add` becomes `AddBackward`. */
function backwardName(name: string): string {
  if (name.endsWith('Backward')) return name;
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Backward`;
}

/**
 * A tensor as PyTorch's `repr` prints it: `tensor([[1., 2.],\n        [3., 4.]])`,
 * then `dtype=float64` for float64 (int32 stands for PyTorch's default
 * integer type int64, so it prints no dtype, except for an empty tensor),
 * `requiresGrad=true` or the `gradFn`, and `...` summaries for tensors of
 * more than `threshold` elements. `Tensor.toString()` and `console.log`
 * print this.
 *
 * @example
 * ```ts
 * formatTensor(tensor([1, 2], { dtype: 'int32' })); // 'tensor([1, 2])'
 * formatTensor(tensor(3.5)); // 'tensor(3.5000)'
 * formatTensor(zeros([0, 3], { dtype: 'int32' })); // 'tensor([], size=(0, 3), dtype=int32)'
 * ```
 * @throws TypeError when `input` is not a Tensor.
 */
export function formatTensor(input: Tensor): string {
  // A structural check: print.ts may not import Tensor at run time (tensor.ts imports this module).
  if (typeof input !== 'object' || input === null || !('storage' in input)) {
    throw new TypeError(`formatTensor: expected a Tensor, got ${describeKind(input)}`);
  }
  const options = printOptions;
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  const count = input.numel();
  if (count === 0) {
    if (input.ndim !== 1) suffixes.push(`size=(${input.shape.join(', ')})`);
    if (input.dtype !== 'float32') suffixes.push(`dtype=${input.dtype}`);
    body = '[]';
  } else {
    // float32, int32 and bool stand for PyTorch's default dtypes (float32, int64, bool), which print no suffix.
    if (input.dtype === 'float64') suffixes.push(`dtype=${input.dtype}`);
    const data = input.contiguousData();
    const summarize = count > options.threshold;
    const renderer = new TensorRenderer(data, input.shape, summarize, options);
    const formatter = new ElementFormatter(summarize ? renderer.shownValues() : data, input.dtype, options);
    body = input.ndim === 0 ? formatter.format(data[0]!) : renderer.render(formatter, 0, 0, indent);
  }
  if (input.gradFn !== null) suffixes.push(`gradFn=<${backwardName(input.gradFn.name)}>`);
  else if (input.requiresGrad) suffixes.push('requiresGrad=true');
  return addSuffixes(prefix + body, suffixes, indent, options.lineWidth);
}

/** The key `console.log` and `util.inspect` in Node look up for a custom rendering. */
export const inspectSymbol: unique symbol = Symbol.for('nodejs.util.inspect.custom');
