import { COMPOSITE_BACKEND, type KernelName, backendOf, kernelBackends, kernelOf, registerKernel, unregisterKernel } from '../registry.js';

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
 * Runs `body` on the `composite` default of each kernel in `names`: every
 * implementation registered above the default (the fused `cpu` loop, a
 * `wasm` one) is taken out with {@link withoutKernel} for the call, and put
 * back afterwards in its order. What a layer package's test uses to show
 * that training on the defaults gives the fused kernels' numbers.
 *
 * @example
 * ```ts
 * const onDefault = onCompositeDefault('lstmCellBackward', () => trainThreeSteps());
 * ```
 * @throws Error when a kernel has no `composite` default, or when another backend answers inside `body`.
 */
export function onCompositeDefault<T>(names: KernelName | readonly KernelName[], body: () => T): T {
  const list = typeof names === 'string' ? [names] : names;
  // Newest registration first: the last one taken out is the oldest, which comes back first.
  const removals: [KernelName, string][] = [];
  for (const name of list) {
    const backends = kernelBackends(name);
    const position = backends.indexOf(COMPOSITE_BACKEND);
    if (position < 0) throw new Error(`onCompositeDefault: '${name}' has no default composed of forward ops`);
    for (const backend of backends.slice(position + 1).reverse()) removals.push([name, backend]);
  }
  const onDefault = (): T => {
    for (const name of list) {
      const active = backendOf(name);
      if (active !== COMPOSITE_BACKEND) throw new Error(`onCompositeDefault: '${name}' ran on '${String(active)}', not its default`);
    }
    return body();
  };
  const run = removals.reduceRight<() => T>((inner, [name, backend]) => () => withoutKernel(name, backend, inner), onDefault);
  return run();
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
