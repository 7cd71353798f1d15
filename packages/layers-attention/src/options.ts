/**
 * The options of the layers and ops of @strata/layers-attention: one options
 * interface per family with a documented default on every field, and one
 * `resolve…Options` that validates and freezes it. Messages name the layer,
 * the argument, what was expected and what came.
 */
import { checkOptionNames, describeOption } from '@strata/module';

/** @throws RangeError `AttentionScale: numFeatures must be a positive integer, got 2.5` */
export function checkSize(name: string, argument: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new RangeError(`${name}: ${argument} must be a positive integer, got ${describeOption(value)}`);
  }
  return value as number;
}

/** Options of `AttentionScale` (keyword arguments in camelCase, as PyTorch's would be). */
export interface ScaleOptions {
  /**
   * Whether the layer also learns a shift per feature.
   * @defaultValue `true`
   */
  bias?: boolean;
  /**
   * The value every gain starts from.
   * @defaultValue `1`
   */
  init?: number;
}

/** `ScaleOptions` checked and spelled out. */
export interface ResolvedScaleOptions {
  /** Whether the layer has a learnable shift. */
  readonly bias: boolean;
  /** The value every gain starts from. */
  readonly init: number;
}

/**
 * Checks and freezes the options of `AttentionScale`.
 * @throws TypeError when `options` is not an object.
 * @throws RangeError for an unknown option, a non-boolean `bias` or a non-finite `init`.
 */
export function resolveScaleOptions(name: string, options: ScaleOptions = {}): ResolvedScaleOptions {
  checkOptionNames(name, options, ['bias', 'init']);
  const bias = options.bias ?? true;
  if (typeof bias !== 'boolean') throw new RangeError(`${name}: bias must be a boolean, got ${describeOption(bias)}`);
  const init = options.init ?? 1;
  if (typeof init !== 'number' || !Number.isFinite(init)) {
    throw new RangeError(`${name}: init must be a finite number, got ${describeOption(init)}`);
  }
  return Object.freeze({ bias, init });
}
