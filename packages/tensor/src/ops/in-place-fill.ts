import { allocate, isFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { type Generator, defaultGenerator } from '../random.js';
import { getKernel } from '../registry.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { where } from './elementwise.js';
import { broadcastView, checkMask, fillValue, maskedFill } from './indexing.js';
import { checkBroadcastInto, checkSelf, runInPlace, writeInto } from './in-place-support.js';
import { checkTensor } from '../checks.js';

// In-place ops that overwrite elements rather than combine them: fills,
// copies, random draws and masked fills. When gradients flow they are
// recorded (by history rebase) as a masked fill of the clone, so the old
// values get a zero gradient, as PyTorch's FillBackward gives.

/** Options of the random in-place fills. */
export interface RandomFillOptions {
  /**
   * The generator to draw from.
   * @defaultValue the default generator that `manualSeed` seeds
   */
  generator?: Generator;
}

/** A 0-d bool `true`: the mask of a fill that replaces every element. */
function everywhere(): Tensor {
  return new Tensor(new Storage(new Uint8Array([1])), []);
}

function fillWith(op: string, self: Tensor, value: number | boolean | Tensor): Tensor {
  checkSelf(op, self);
  const number = fillValue(value, op);
  const converted = self.dtype === 'bool' ? Number(number !== 0) : number;
  return runInPlace(self, {
    op,
    operands: value instanceof Tensor ? [value] : [],
    outOfPlace: (input) => maskedFill(input, everywhere(), value),
    write: () => {
      getKernel('fill')(self, converted);
      return true;
    },
    outOfPlaceGivesValues: false,
  });
}

/**
 * Sets every element of `self` to `value`, like `Tensor.fill_`: a number, a
 * boolean or a 0-d tensor, converted to `self`'s dtype (an int32 tensor
 * truncates, a bool tensor takes nonzero as true). Returns `self`.
 *
 * @throws ShapeError when `value` is a tensor that is not 0-d.
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 */
export function fill_(self: Tensor, value: number | boolean | Tensor): Tensor {
  return fillWith('fill_', self, value);
}

/** Sets every element of `self` to zero, like `Tensor.zero_`. Returns `self`. @throws as {@link fill_}. */
export function zero_(self: Tensor): Tensor {
  return fillWith('zero_', self, 0);
}

/**
 * Copies `source`'s elements into `self`, like `Tensor.copy_`: `source`
 * broadcasts to `self`'s shape and is converted to `self`'s dtype (any
 * dtype into any other, as `to` converts). Differentiable with respect to
 * `source` when `self` is floating point. Returns `self`.
 *
 * @throws ShapeError when `source` doesn't broadcast to `self`'s shape.
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 */
export function copy_(self: Tensor, source: Tensor): Tensor {
  checkSelf('copy_', self);
  checkTensor('copy_', 'source', source);
  checkBroadcastInto('copy_', self, [source.shape]);
  return runInPlace(self, {
    op: 'copy_',
    operands: [source],
    outOfPlace: (input) => where(everywhere(), source, input),
    write: () => {
      writeInto(self, broadcastView(source, self.shape));
      return true;
    },
    outOfPlaceGivesValues: false,
  });
}

/** Draws one value per element of `self`, in row-major order, from `draw` (on the host, where the generator is). */
function fillRandom(self: Tensor, draw: () => number): void {
  const count = self.numel();
  const values = allocate(self.dtype, count);
  for (let i = 0; i < count; i++) values[i] = draw();
  writeInto(self, new Tensor(new Storage(values), self.shape));
}

function checkFloating(op: string, self: Tensor): void {
  if (!isFloatingPoint(self.dtype)) throw new DTypeError(`${op}: expected a floating point tensor, got ${self.dtype}`);
}

/**
 * Fills `self` with samples from the uniform distribution on `[low, high)`,
 * like `Tensor.uniform_`, drawn from `options.generator` or the default
 * generator that `manualSeed` seeds (`uniform_(x)` draws what `rand` would).
 * Returns `self`.
 *
 * @throws DTypeError for an int32 or bool tensor.
 * @throws RangeError when `low > high` or a bound is not finite.
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 * @example
 * ```ts
 * const weight = empty([4, 3]);
 * uniform_(weight, -0.5, 0.5); // or weight.uniform_(-0.5, 0.5)
 * ```
 */
export function uniform_(self: Tensor, low = 0, high = 1, options: RandomFillOptions = {}): Tensor {
  checkSelf('uniform_', self);
  checkFloating('uniform_', self);
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new RangeError(`uniform_: expected a finite range with low <= high, got low=${low}, high=${high}`);
  }
  const generator = options.generator ?? defaultGenerator;
  const width = high - low;
  return runInPlace(self, {
    op: 'uniform_',
    operands: [],
    outOfPlace: (input) => maskedFill(input, everywhere(), 0),
    write: () => {
      fillRandom(self, () => low + width * generator.nextDouble());
      return true;
    },
    outOfPlaceGivesValues: false,
  });
}

/**
 * Fills `self` with samples from the normal distribution with `mean` and
 * standard deviation `std`, like `Tensor.normal_`, drawn from
 * `options.generator` or the default generator (`normal_(x)` draws what
 * `randn` would). Returns `self`.
 *
 * @throws DTypeError for an int32 or bool tensor.
 * @throws RangeError when `std` is negative or a parameter is not finite.
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 */
export function normal_(self: Tensor, mean = 0, std = 1, options: RandomFillOptions = {}): Tensor {
  checkSelf('normal_', self);
  checkFloating('normal_', self);
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`normal_: expected a finite mean and a finite std >= 0, got mean=${mean}, std=${std}`);
  }
  const generator = options.generator ?? defaultGenerator;
  return runInPlace(self, {
    op: 'normal_',
    operands: [],
    outOfPlace: (input) => maskedFill(input, everywhere(), 0),
    write: () => {
      fillRandom(self, () => mean + std * generator.nextNormal());
      return true;
    },
    outOfPlaceGivesValues: false,
  });
}

/**
 * Sets the elements of `self` where the bool `mask` (broadcast to `self`'s
 * shape) is true to `value`, like `Tensor.masked_fill_`. Returns `self`.
 *
 * @throws DTypeError when `mask` is not bool.
 * @throws ShapeError when `mask` doesn't broadcast to `self`'s shape, or `value` is a tensor that is not 0-d.
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 */
export function maskedFill_(self: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkSelf('maskedFill_', self);
  checkMask(mask, 'maskedFill_');
  checkBroadcastInto('maskedFill_', self, [mask.shape]);
  fillValue(value, 'maskedFill_');
  return runInPlace(self, {
    op: 'maskedFill_',
    operands: value instanceof Tensor ? [value] : [],
    outOfPlace: (input) => maskedFill(input, mask, value),
    outOfPlaceGivesValues: true,
  });
}
