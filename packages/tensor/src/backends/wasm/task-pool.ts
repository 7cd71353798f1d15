/**
 * A worker pool for a WebAssembly module whose exported tasks run on a
 * shared `WebAssembly.Memory`: `worker_threads` in Node, Web Workers in a
 * cross-origin-isolated page, every one instantiating the same compiled
 * module on the same memory. The threaded `wasm` gemm and the attention
 * tasks run on one (wasm-heap.ts); a layer package with a module of its own
 * makes its own (exported by `@strata/tensor/backend`).
 *
 * The kernel API stays synchronous. For each phase of a product the calling
 * thread publishes a job (a task count and a descriptor address), wakes the
 * workers, claims and runs tasks itself like any worker, and returns when
 * every task is finished. Tasks are claimed one at a time with a
 * compare-and-swap on one 64-bit word (generation | task count | next task),
 * so a thread slowed down by another process simply claims fewer tasks, and
 * a worker that is still starting up, or wakes late, finds nothing to claim.
 * A claim made while a job is current pins that job until the task
 * finishes, which is what lets a worker read the job's fields after claiming.
 *
 * Workers are started on first need and `unref()`'d: an idle pool never
 * keeps a Node process alive. Once started they are kept (a lower
 * `setNumThreads` leaves the extra ones asleep); they sleep in `Atomics.wait`.
 */
import { BROWSER_WORKER_SOURCE, NODE_WORKER_SOURCE } from './worker-source.js';

/** Int32 words of the control block (the first two hold the 64-bit claim word). */
const WAKE = 2;
const FINISHED = 3;
const PHASE = 4;
const JOB = 5;
const ERROR = 6;
const ACTIVE_WORKERS = 7;
/** Tasks run by workers so far (wrapping), so tests can tell the workers took part. */
const WORKER_TASKS = 8;
const CONTROL_BYTES = 64;

/** Tasks per job fit 20 bits of the claim word. */
export const MAX_TASKS = 0xfffff;
/**
 * Polls of the wake word a worker makes after a job before sleeping: about
 * 50 µs, the gap between a product's packing and compute phases, which a
 * futex wake-up would otherwise roughly double.
 */
const WORKER_SPINS = 20_000;
/** Polls the calling thread makes for the last tasks before sleeping. */
const CALLER_SPINS = 20_000;

/**
 * A task export: runs task `task` of the job whose descriptor is at byte
 * `job` of the shared memory, on the thread of slot `slot` (0: the calling
 * thread; workers 1, 2, ...), each slot owning its scratch memory.
 */
export type WasmTask = (job: number, task: number, slot: number) => void;

interface NodeWorker {
  unref(): void;
  on(event: 'error', listener: (error: unknown) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown; name?: string }) => NodeWorker;
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function callerCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const candidate = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (name: string) => unknown } }).process;
  if (typeof candidate?.versions?.node !== 'string' || typeof candidate.getBuiltinModule !== 'function') return undefined;
  return candidate.getBuiltinModule('node:worker_threads') as NodeWorkerThreads;
}

/**
 * Worker threads running the exported tasks of one WebAssembly module on a
 * shared memory; see the file comment. Tasks are named by export: `run`'s
 * `phase` is an index into `taskNames`.
 */
export class WasmTaskPool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly words = new Int32Array(this.control);
  private readonly claimWord = new BigInt64Array(this.control, 0, 1);
  private readonly tasks: WasmTask[];
  private readonly canBlock = callerCanBlock();
  private started = 0;
  private generation = 0;
  private failed = false;
  private browserUrl: string | undefined;

  /**
   * A pool for `module`, instantiated (by each worker) with `{ env: { memory } }`;
   * `exports` is the calling thread's instance, `taskNames` the task exports
   * by phase, `name` what the workers are called (`name-1`, `name-2`, ...).
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    exports: Record<string, unknown>,
    private readonly taskNames: readonly string[],
    private readonly name = 'strata-wasm',
  ) {
    this.tasks = taskNames.map((taskName) => exports[taskName] as WasmTask);
  }

  /** How many tasks the workers have run since the pool started (modulo 2³²). */
  get workerTasks(): number {
    return Atomics.load(this.words, WORKER_TASKS) >>> 0;
  }

  /** Workers started so far (some may still be starting up). */
  get size(): number {
    return this.started;
  }

  /**
   * Makes `workers` workers take part in the next jobs, starting the missing
   * ones (they join as soon as they are up), and returns how many may take
   * part: `workers`, or 0 once starting a worker has failed.
   */
  enlist(workers: number): number {
    if (this.failed) return 0;
    try {
      while (this.started < workers) this.startWorker(this.started + 1);
    } catch {
      this.failed = true;
      return 0;
    }
    Atomics.store(this.words, ACTIVE_WORKERS, workers);
    return workers;
  }

  private startWorker(slot: number): void {
    const workerData = {
      module: this.module, memory: this.memory, control: this.control, slot, spins: WORKER_SPINS, taskNames: [...this.taskNames],
    };
    const threads = nodeWorkerThreads();
    if (threads !== undefined) {
      const worker = new threads.Worker(NODE_WORKER_SOURCE, { eval: true, workerData, name: `${this.name}-${slot}` });
      // An idle pool must never keep the process alive.
      worker.unref();
      worker.on('error', () => {
        this.failed = true;
      });
    } else {
      this.browserUrl ??= URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(this.browserUrl, { name: `${this.name}-${slot}` });
      worker.onerror = () => {
        this.failed = true;
      };
      worker.postMessage(workerData);
    }
    this.started++;
  }

  /**
   * Runs tasks 0..count-1 of `phase` on the job at `job`, on this thread and
   * the enlisted workers, and returns when all are finished. `meanwhile`, if
   * given, runs on this thread once the workers are woken, before it claims
   * tasks itself: work of its own that the workers' tasks overlap. Returns
   * the share of the call this thread spent waiting for the workers' last
   * tasks after running out of tasks to claim (0 to 1): how much a worker
   * that another process descheduled held it up.
   * @throws Error when a task failed in a worker.
   */
  run(phase: number, count: number, job: number, workers: number, meanwhile?: () => void): number {
    const task = this.tasks[phase]!;
    if (workers === 0 || count === 1) {
      meanwhile?.();
      for (let index = 0; index < count; index++) task(job, index, 0);
      return 0;
    }
    const start = performance.now();
    const words = this.words;
    words[PHASE] = phase;
    words[JOB] = job;
    Atomics.store(words, ERROR, 0);
    Atomics.store(words, FINISHED, 0);
    this.generation = (this.generation + 1) & 0xffffff;
    Atomics.store(this.claimWord, 0, (BigInt(this.generation) << 40n) | (BigInt(count) << 20n));
    Atomics.add(words, WAKE, 1);
    Atomics.notify(words, WAKE);
    meanwhile?.();
    let own = 0;
    for (;;) {
      const word = Atomics.load(this.claimWord, 0);
      const next = Number(word & 0xfffffn);
      if (next >= count) break;
      if (Atomics.compareExchange(this.claimWord, 0, word, word + 1n) !== word) continue;
      task(job, next, 0);
      own++;
    }
    if (own > 0) Atomics.add(words, FINISHED, own);
    const claimed = performance.now();
    for (let spin = 0; ; spin++) {
      const finished = Atomics.load(words, FINISHED);
      if (finished === count) break;
      // A browser's main thread cannot block: it polls until the workers are done.
      if (spin >= CALLER_SPINS && this.canBlock) Atomics.wait(words, FINISHED, finished, 100);
    }
    if (Atomics.load(words, ERROR) !== 0) throw new Error(`${this.name}: a task failed in a worker thread`);
    const end = performance.now();
    return end > start ? (end - claimed) / (end - start) : 0;
  }
}
