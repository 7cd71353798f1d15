import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Jax, Runner } from '../workload.js';

/** An array of jax-js (reference-counted: passing it to a function gives it away; `.ref` keeps a reference). */
export type JaxArray = InstanceType<Jax['numpy']['Array']>;

/** jax-js, loaded, with its WebAssembly backend initialized and made the default device. */
export interface JaxPeer {
  readonly jax: Jax;
  /** The version of `@jax-js/jax`. */
  readonly version: string;
  /** How it runs, for the header. */
  readonly description: string;
}

/**
 * Loads `@jax-js/jax` and initializes its `wasm` backend, which generates its
 * WebAssembly kernels in the process (nothing is downloaded), and makes it
 * the default device so every array the workloads create lives there.
 */
export async function loadJax(): Promise<JaxPeer> {
  const jax = await import('@jax-js/jax');
  const available = await jax.init('wasm');
  if (!available.includes('wasm')) throw new Error(`jax-js: the wasm backend failed to initialize (available: ${available.join(', ') || 'none'})`);
  jax.defaultDevice('wasm');
  return {
    jax,
    version: installedVersion(),
    description: 'wasm backend (kernels generated as WebAssembly, one thread), functions compiled with jit',
  };
}

/** The installed package's version; its exports map does not list package.json, so it is read beside the entry point. */
function installedVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@jax-js/jax');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** A float32 array of jax-js with the given shape, from a copy of `data`. */
export function jaxArray(jax: Jax, data: Float32Array | Int32Array, shape: readonly number[]): JaxArray {
  const options = data instanceof Int32Array ? { dtype: jax.numpy.int32 } : {};
  return jax.numpy.array(data.slice(), options).reshape([...shape]);
}

/** The values of `array` as float32, keeping `array` (reading an array gives it away in jax-js). */
export function readJax(array: JaxArray): Float32Array {
  return Float32Array.from(array.ref.dataSync() as Float32Array);
}

/**
 * A {@link Runner} around a jax-js computation. jax-js is lazy: a call only
 * records kernels, which run when a result is read or awaited, so the timed
 * unit is `runAsync`, which calls `compute` and waits (`blockUntilReady`)
 * for every array it returns, gradients that are not read included.
 * `compute` must pass `.ref`s of the arrays it reuses; `held` are freed by
 * `dispose()`, with the last result.
 */
export function jaxRunner<Result>(
  jax: Jax,
  compute: () => Result,
  check: (result: Result) => Float32Array,
  held: readonly JaxArray[],
): Runner {
  let result: Result | undefined;
  const release = (): void => {
    if (result !== undefined) jax.tree.dispose(result as never);
    result = undefined;
  };
  return {
    run: () => {
      throw new Error('jax-js runners are timed through runAsync');
    },
    runAsync: async () => {
      release();
      result = compute();
      await jax.blockUntilReady(result as never);
    },
    output: () => check(result!),
    dispose: () => {
      release();
      for (const array of held) array.dispose();
    },
  };
}
