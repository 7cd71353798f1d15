import { formatShape } from '../errors.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';

/**
 * The dims a reduction runs over: one dim, a list of dims (negative dims
 * count from the end), or `null` / omitted for every dim. Like PyTorch, an
 * empty list also means every dim.
 */
export type ReductionDim = number | readonly number[] | null;

/**
 * Resolves a reduction's `dim` argument to sorted, unique, non-negative dims.
 * A 0-d tensor accepts dim 0 or -1 and reduces nothing (the result is 0-d).
 * @throws RangeError naming the op for a dim out of range or named twice.
 */
export function resolveDims(input: Tensor, dim: ReductionDim | undefined, op: string): number[] {
  const rank = input.ndim;
  if (dim === undefined || dim === null || (typeof dim !== 'number' && dim.length === 0)) {
    return input.shape.map((_, d) => d);
  }
  const list = typeof dim === 'number' ? [dim] : dim;
  const seen = new Set<number>();
  for (const d of list) {
    const resolved = normalizeDim(d, rank, op);
    if (seen.has(resolved)) {
      throw new RangeError(`${op}: dim ${resolved} appears multiple times in the list of dims ${formatShape(list)}`);
    }
    seen.add(resolved);
  }
  if (rank === 0) return [];
  return [...seen].sort((a, b) => a - b);
}

/** Whether `dim` names particular dims (rather than all of them). */
export function isDimSpecified(dim: ReductionDim | undefined): boolean {
  return dim !== undefined && dim !== null && (typeof dim === 'number' || dim.length > 0);
}

/**
 * Max, min and arg reductions have no identity, so each reduced dim must be
 * non-empty, as PyTorch requires.
 * @throws RangeError naming the op when the input is empty and the reduction
 * runs over every dim, or over a dim of size 0.
 */
export function checkReducible(input: Tensor, dims: readonly number[], specified: boolean, op: string): void {
  if (input.numel() !== 0) return;
  if (!specified) {
    throw new RangeError(
      `${op}: expected reduction dim to be specified for input.numel() == 0 (got input shape ${formatShape(input.shape)}); specify the reduction dim with the 'dim' argument`,
    );
  }
  for (const d of dims) {
    if (input.shape[d] === 0) {
      throw new RangeError(`${op}: expected reduction dim ${d} to have non-zero size (got input shape ${formatShape(input.shape)})`);
    }
  }
}
