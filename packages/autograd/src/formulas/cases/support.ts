import { Generator, Tensor, tensor } from '@strata/tensor';

import type { GradcheckOptions } from '../../gradcheck.js';
import type { OperationName } from '../types.js';

// Test support (imported by `formulas.test.ts` only): the gradcheck cases of
// every recorded op, over seeded random values, broadcasting shapes and
// non-contiguous leaves.

/** How an input leaf lies in its storage. */
export type Layout = 'contiguous' | 'transposed' | 'strided';

/** Where the values of an input come from. */
export interface Domain {
  /** The lowest value. @defaultValue `-2` */
  low?: number;
  /** The highest value. @defaultValue `2` */
  high?: number;
  /** Points (kinks, poles) every value keeps at least `margin` away from. */
  avoid?: readonly number[];
  /** @defaultValue `0.05` */
  margin?: number;
}

/** A float64 input leaf that requires grad. */
export interface InputSpec {
  shape: readonly number[];
  layout?: Layout;
  domain?: Domain;
}

/** One gradcheck of one op. Constant inputs (indices, masks) are given as tensors. */
export interface GradcheckCase {
  /** The recorded op the case covers; the runner checks that the graph holds a node of that name. */
  op: OperationName;
  name: string;
  inputs: readonly (InputSpec | Tensor)[];
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[];
  options?: GradcheckOptions;
}

/** Values away from 0 (poles and kinks at zero). */
export const awayFromZero: Domain = { avoid: [0], margin: 0.1 };
/** Positive values (logarithms, roots). */
export const positive: Domain = { low: 0.2, high: 3 };

/** A float64 leaf that requires grad, with values drawn from `domain`, laid out as `layout`. */
export function randomLeaf(generator: Generator, spec: InputSpec): Tensor {
  const { shape, layout = 'contiguous', domain = {} } = spec;
  const low = domain.low ?? -2;
  const high = domain.high ?? 2;
  const margin = domain.margin ?? 0.05;
  const avoid = domain.avoid ?? [];
  const draw = (): number => {
    for (;;) {
      const value = low + (high - low) * generator.nextDouble();
      if (avoid.every((point) => Math.abs(value - point) >= margin)) return value;
    }
  };
  const count = shape.reduce((product, size) => product * size, 1);
  let leaf: Tensor;
  if (layout === 'transposed' && shape.length >= 2) {
    // Stored with the last two dims swapped, read back through a transpose.
    const stored = [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];
    leaf = tensor(Float64Array.from({ length: count }, draw), { shape: stored }).transpose(-1, -2);
  } else if (layout === 'strided' && shape.length >= 1) {
    // Every other element of a twice-as-long last dim.
    const stored = [...shape.slice(0, -1), shape[shape.length - 1]! * 2];
    leaf = tensor(Float64Array.from({ length: count * 2 }, draw), { shape: stored }).slice(-1, 0, undefined, 2);
  } else {
    leaf = tensor(Float64Array.from({ length: count }, draw), { shape });
  }
  return leaf.detach().requiresGrad_();
}

/** The names of the nodes reachable from `output`'s gradFn. */
export function recordedNames(outputs: readonly Tensor[]): Set<string> {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const stack: unknown[] = outputs.map((output) => output.gradFn).filter((node) => node !== null);
  while (stack.length > 0) {
    const node = stack.pop() as { name: string; nextFunctions?: readonly unknown[] };
    if (seen.has(node)) continue;
    seen.add(node);
    names.add(node.name);
    for (const next of node.nextFunctions ?? []) if (next !== null) stack.push(next);
  }
  return names;
}

/** A seeded generator per case, so each case draws the same values on every run. */
export function generatorFor(name: string): Generator {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return new Generator(hash >>> 0);
}

/** Random shapes of rank 0 to `maxRank` with sizes 1 to `maxSize`, from a seeded generator. */
export function randomShape(generator: Generator, maxRank = 3, maxSize = 3): number[] {
  const rank = generator.nextInt(0, maxRank + 1);
  return Array.from({ length: rank }, () => generator.nextInt(1, maxSize + 1));
}

/**
 * Pairs of shapes that broadcast: equal shapes, size-1 dims on either side,
 * missing leading dims, 0-d operands, and a few seeded random pairs.
 */
export function broadcastPairs(seed: string, randomCount = 2): [number[], number[]][] {
  const pairs: [number[], number[]][] = [
    [[2, 3], [2, 3]],
    [[3, 1], [4]],
    [[2, 1, 4], [3, 1]],
    [[3], [2, 3]],
    [[], [2, 3]],
    [[2, 3], []],
    [[1], [2, 2]],
  ];
  const generator = generatorFor(seed);
  for (let i = 0; i < randomCount; i++) {
    const shape = randomShape(generator);
    // The other operand: a suffix of the shape with some sizes set to 1.
    const suffix = shape.slice(generator.nextInt(0, shape.length + 1));
    const other = suffix.map((size) => (generator.nextDouble() < 0.4 ? 1 : size));
    pairs.push(generator.nextDouble() < 0.5 ? [shape, other] : [other, shape]);
  }
  return pairs;
}

/** An int32 tensor. */
export function indices(values: readonly number[], shape?: readonly number[]): Tensor {
  return tensor(Int32Array.from(values), shape === undefined ? {} : { shape });
}

/** A bool tensor. */
export function mask(values: readonly boolean[], shape?: readonly number[]): Tensor {
  return tensor(Uint8Array.from(values, Number), { dtype: 'bool', ...(shape === undefined ? {} : { shape }) });
}
