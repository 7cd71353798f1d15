/**
 * The worker threads of the WebAssembly convolution forward
 * (`worker_threads` in Node, Web Workers in a cross-origin-isolated page):
 * each instantiates conv.wat on the same shared `WebAssembly.Memory` and
 * runs `sampleTask` on the samples it claims.
 *
 * The call stays synchronous. The calling thread publishes a job (a sample
 * count and a descriptor address), wakes the workers, claims and runs
 * samples itself like any worker, and returns when every sample is done.
 * Samples are claimed one at a time with a compare-and-swap on one 64-bit
 * word (generation | count | next), so a worker slowed down by another
 * process, still starting up, or waking late simply claims fewer of them,
 * and a result never depends on which thread ran a sample. This is the
 * protocol of the tensor package's gemm pool, which is internal to it.
 *
 * Workers are started on first need and `unref()`'d, so an idle pool never
 * keeps a process alive; they sleep in `Atomics.wait` between jobs.
 */

/** Int32 words of the control block (the first two hold the 64-bit claim word). */
const WAKE = 2;
const FINISHED = 3;
const JOB = 4;
const ERROR = 5;
const ACTIVE_WORKERS = 6;
/** Samples run by workers so far (wrapping), so a test can tell the workers took part. */
const WORKER_TASKS = 7;
const CONTROL_BYTES = 64;
/** Polls of the wake word a worker makes after a job before sleeping (a few tens of µs: the next chunk's job). */
const WORKER_SPINS = 20_000;
/** Polls the calling thread makes for the last samples before sleeping. */
const CALLER_SPINS = 20_000;

/**
 * The worker loop, as source text (a worker starts from a string, `eval` in
 * Node and a Blob URL in a browser, so no build has a worker file to find).
 * The word indices match the constants above: wake 2, finished 3, job 4,
 * error 5, active workers 6, worker tasks 7.
 */
const WORKER_LOOP = String.raw`
function strataConvWorker(module, memory, control, slot, spins) {
  const task = new WebAssembly.Instance(module, { env: { memory } }).exports.sampleTask;
  const words = new Int32Array(control);
  const claim = new BigInt64Array(control, 0, 1);
  for (;;) {
    const seen = Atomics.load(words, 2);
    if (slot <= Atomics.load(words, 6)) {
      for (;;) {
        const word = Atomics.load(claim, 0);
        const next = Number(word & 0xfffffn);
        const count = Number((word >> 20n) & 0xfffffn);
        if (next >= count) break;
        if (Atomics.compareExchange(claim, 0, word, word + 1n) !== word) continue;
        try {
          task(Atomics.load(words, 4), next, slot);
        } catch (error) {
          Atomics.store(words, 5, 1);
        }
        Atomics.add(words, 7, 1);
        if (Atomics.add(words, 3, 1) + 1 === count) Atomics.notify(words, 3);
      }
    }
    for (let spin = 0; spin < spins && Atomics.load(words, 2) === seen; spin++);
    Atomics.wait(words, 2, seen);
  }
}
`;

/** A Node worker (`new Worker(source, { eval: true, workerData })`). */
const NODE_WORKER_SOURCE = `${WORKER_LOOP}
const { workerData } = require('node:worker_threads');
strataConvWorker(workerData.module, workerData.memory, workerData.control, workerData.slot, workerData.spins);
`;

/** A browser worker (from a Blob URL), started by one message. */
const BROWSER_WORKER_SOURCE = `${WORKER_LOOP}
self.onmessage = (event) => {
  const data = event.data;
  strataConvWorker(data.module, data.memory, data.control, data.slot, data.spins);
};
`;

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function callerCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface NodeWorker {
  unref(): void;
  on(event: 'error', listener: (error: unknown) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown; name?: string }) => NodeWorker;
}

/** `node:worker_threads` in Node, else undefined (without a static import a browser bundle would choke on). */
function nodeWorkerThreads(): NodeWorkerThreads | undefined {
  const candidate = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (name: string) => unknown } }).process;
  if (typeof candidate?.versions?.node !== 'string' || typeof candidate.getBuiltinModule !== 'function') return undefined;
  return candidate.getBuiltinModule('node:worker_threads') as NodeWorkerThreads;
}

/** One pool per shared memory; see the file comment. */
export class ConvolutionPool {
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly words = new Int32Array(this.control);
  private readonly claimWord = new BigInt64Array(this.control, 0, 1);
  private started = 0;
  private generation = 0;
  private failed = false;
  private readonly canBlock = callerCanBlock();
  private browserUrl: string | undefined;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly task: (job: number, sample: number, slot: number) => void,
  ) {}

  /** Samples the workers have run since the pool started (modulo 2³²). */
  get workerTasks(): number {
    return Atomics.load(this.words, WORKER_TASKS) >>> 0;
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
    const workerData = { module: this.module, memory: this.memory, control: this.control, slot, spins: WORKER_SPINS };
    const threads = nodeWorkerThreads();
    if (threads !== undefined) {
      const worker = new threads.Worker(NODE_WORKER_SOURCE, { eval: true, workerData, name: `strata-conv-${slot}` });
      // An idle pool must never keep the process alive.
      worker.unref();
      worker.on('error', () => {
        this.failed = true;
      });
    } else {
      this.browserUrl ??= URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
      const worker = new Worker(this.browserUrl, { name: `strata-conv-${slot}` });
      worker.onerror = () => {
        this.failed = true;
      };
      worker.postMessage(workerData);
    }
    this.started++;
  }

  /**
   * Runs samples 0..count-1 of the job at `job` on this thread (slot 0) and
   * the enlisted workers, and returns when all are finished. `meanwhile`,
   * if given, runs on this thread once the workers are woken, before it
   * claims samples itself: work of its own that the workers' samples overlap.
   * Returns the share of the call this thread spent waiting for the workers'
   * last samples after running out of samples to claim (0 to 1).
   * @throws Error when a sample failed in a worker.
   */
  run(count: number, job: number, meanwhile?: () => void): number {
    const start = performance.now();
    const words = this.words;
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
      this.task(job, next, 0);
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
    if (Atomics.load(words, ERROR) !== 0) throw new Error('conv: a sample failed in a @strata/layers-conv worker thread');
    const end = performance.now();
    return end > start ? (end - claimed) / (end - start) : 0;
  }
}
