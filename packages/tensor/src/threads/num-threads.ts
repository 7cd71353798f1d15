/**
 * How many threads Strata's kernels may use, like `torch.set_num_threads`:
 * a setting any backend reads (the `wasm` backend splits its matrix products
 * over a worker pool of that size), so it is part of the backend contract
 * and of the main entry.
 *
 * Threads need memory shared between workers (`SharedArrayBuffer`) and a way
 * to start workers synchronously from a kernel: Node ≥ 20.16
 * (`process.getBuiltinModule('node:worker_threads')`), or a browser page
 * that is cross-origin isolated (Web Workers). Elsewhere everything runs on
 * one thread: `getNumThreads()` answers 1, `threadingSupport()` says why,
 * and asking for more threads (`setNumThreads(n > 1)` or
 * `STRATA_NUM_THREADS`) prints that reason once. Nothing is printed for
 * users who never ask, since most pages are not isolated.
 */
import { describeValue } from '../checks.js';

/** More threads than this is a mistake (each worker holds its own engine and buffers). */
export const MAX_NUM_THREADS = 256;

/** Whether this runtime can run Strata's kernels on several threads, and if not, why. */
export interface ThreadingSupport {
  /** True where shared memory and synchronous worker start-up are available. */
  available: boolean;
  /** Why threads are unavailable; `null` when they are available. */
  reason: string | null;
}

/** What Node offers synchronously, without a static import a browser bundle would choke on. */
interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
}

/** `process` in Node, else undefined. */
export function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: NodeProcess }).process;
  return typeof candidate?.versions?.node === 'string' ? candidate : undefined;
}

const ISOLATION_HINT = 'serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

function detectSupport(): ThreadingSupport {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  const notIsolated = `the page is not cross-origin isolated, so workers cannot share memory (${ISOLATION_HINT})`;
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
    // Browsers withhold SharedArrayBuffer from pages that are not isolated.
    return { available: false, reason: isolated === false ? notIsolated : 'SharedArrayBuffer is unavailable in this runtime' };
  }
  const node = nodeProcess();
  if (node !== undefined) {
    if (typeof node.getBuiltinModule !== 'function') {
      return { available: false, reason: `Node ${node.versions?.node ?? ''} lacks process.getBuiltinModule (Node 20.16 or newer has it) to start worker threads` };
    }
    return { available: true, reason: null };
  }
  if (typeof Worker === 'undefined') return { available: false, reason: 'this runtime has no Web Workers' };
  if (isolated !== true) return { available: false, reason: notIsolated };
  return { available: true, reason: null };
}

const support = detectSupport();

function hardwareThreads(): number {
  const node = nodeProcess();
  if (node !== undefined) {
    const os = node.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
    return os?.availableParallelism?.() ?? os?.cpus?.().length ?? 1;
  }
  const concurrency = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof concurrency === 'number' && concurrency >= 1 ? Math.floor(concurrency) : 1;
}

let requested = Math.max(1, Math.min(MAX_NUM_THREADS, hardwareThreads()));
let noticeGiven = false;

function isValidCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_NUM_THREADS;
}

/** Says once, on the console, why a request for several threads runs on one. */
function noticeSingleThread(count: number, source: string): void {
  if (support.available || count <= 1 || noticeGiven) return;
  noticeGiven = true;
  console.warn(`@strata/tensor: ${source} asked for ${count} threads, but kernels run on one thread: ${support.reason}.`);
}

function readEnvironment(): void {
  const text = nodeProcess()?.env?.STRATA_NUM_THREADS;
  if (text === undefined || text.trim() === '') return;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !isValidCount(value)) {
    console.warn(`@strata/tensor: STRATA_NUM_THREADS=${JSON.stringify(text)} is not an integer from 1 to ${MAX_NUM_THREADS}; using ${requested} threads.`);
    return;
  }
  requested = value;
  noticeSingleThread(value, 'STRATA_NUM_THREADS');
}

readEnvironment();

/**
 * Sets how many threads Strata's kernels may use, like
 * `torch.set_num_threads`: the `wasm` backend splits big matrix products
 * (matmul, linear, convolution) over the calling thread and `n - 1` pooled
 * workers, started on first need. Products come out bit-identical whatever
 * `n` is (the work is split by output tiles, never along the summed
 * dimension). The default is the number of cores (`os.availableParallelism()`
 * in Node, `navigator.hardwareConcurrency` in a browser), or
 * `STRATA_NUM_THREADS` when set in Node. Where threads are unavailable (see
 * {@link threadingSupport}) the setting is kept but kernels run on one thread,
 * and the reason is printed once.
 * @param n an integer from 1 to 256
 * @throws RangeError when `n` is not such an integer.
 * @example
 * ```ts
 * import { setNumThreads, getNumThreads } from '@strata/tensor';
 * setNumThreads(1); // deterministic timing for a benchmark
 * getNumThreads(); // 1
 * ```
 */
export function setNumThreads(n: number): void {
  if (!isValidCount(n)) {
    throw new RangeError(`setNumThreads: expected an integer from 1 to ${MAX_NUM_THREADS}, got ${describeValue(n)}`);
  }
  requested = n;
  noticeSingleThread(n, 'setNumThreads');
}

/**
 * How many threads Strata's kernels use: the count set by
 * {@link setNumThreads} (or `STRATA_NUM_THREADS`, or the number of cores),
 * and 1 where this runtime cannot run threads.
 * @example
 * ```ts
 * import { getNumThreads } from '@strata/tensor';
 * console.log(`matmul runs on ${getNumThreads()} threads`);
 * ```
 */
export function getNumThreads(): number {
  return support.available ? requested : 1;
}

/**
 * Whether this runtime can run kernels on several threads and, if not, why
 * (no `SharedArrayBuffer`, a browser page that is not cross-origin isolated,
 * Node older than 20.16).
 * @example
 * ```ts
 * import { threadingSupport } from '@strata/tensor';
 * const { available, reason } = threadingSupport();
 * if (!available) console.log(`one thread: ${reason}`);
 * ```
 */
export function threadingSupport(): ThreadingSupport {
  return { ...support };
}
