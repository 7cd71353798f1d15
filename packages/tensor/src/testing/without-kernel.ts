import { type KernelName, kernelOf, registerKernel, unregisterKernel } from '../registry.js';

/**
 * Runs `body` with `backend`'s implementation of each kernel in `names` taken
 * out of the registry, so the implementation below it (a default composed of
 * forward ops, another backend's) answers the calls; puts them back
 * afterwards, also when `body` throws. This is how a test shows that a
 * backend lacking a fused kernel still trains, with the same numbers.
 *
 * @example
 * ```ts
 * withoutKernel('batchNormBackward', 'cpu', () => trainThreeSteps()); // on the composite default
 * ```
 * @throws Error when `backend` has no implementation of one of `names` (nothing is taken out then).
 */
export function withoutKernel<T>(names: KernelName | readonly KernelName[], backend: string, body: () => T): T {
  const list = typeof names === 'string' ? [names] : names;
  const removed = list.map((name) => {
    const implementation = kernelOf(name, backend);
    if (implementation === null) throw new Error(`withoutKernel: the backend '${backend}' has no kernel '${name}'`);
    return implementation;
  });
  for (const name of list) unregisterKernel(name, backend);
  try {
    return body();
  } finally {
    list.forEach((name, at) => registerKernel(name, removed[at]!, { backend, override: true }));
  }
}

/**
 * The largest difference between two runs of the same computation (say, on
 * a fused kernel and on its default), each element's relative to
 * `1 + |expected|`, so that values near zero are compared absolutely.
 *
 * @example
 * ```ts
 * maxRelativeDifference([1, 2], [1, 2.000001]); // ≈ 3.3e-7
 * ```
 * @throws RangeError when the runs have different lengths.
 */
export function maxRelativeDifference(expected: readonly number[], actual: readonly number[]): number {
  if (expected.length !== actual.length) {
    throw new RangeError(`maxRelativeDifference: the runs have ${expected.length} and ${actual.length} values`);
  }
  let worst = 0;
  for (let index = 0; index < expected.length; index++) {
    const value = expected[index]!;
    worst = Math.max(worst, Math.abs(actual[index]! - value) / (1 + Math.abs(value)));
  }
  return worst;
}
