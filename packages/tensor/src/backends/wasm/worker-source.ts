/**
 * The code each pooled worker runs, as source text: workers start from a
 * string (`eval` in Node, a Blob URL in a browser), so neither the published
 * ESM and CommonJS builds nor an application's bundler have a worker file to
 * find. It is plain JavaScript kept short: the work itself is the
 * WebAssembly module's task exports (named in `taskNames`), shared with the main thread.
 *
 * The control block (a SharedArrayBuffer of Int32 words) is laid out in
 * task-pool.ts; the indices below must match it.
 */

/**
 * The worker loop: wait for a job, claim its tasks one by one, run them,
 * count them finished. The claim word is generation (24 bits) | task count
 * (20 bits) | next task (20 bits); once a task is claimed its job cannot
 * finish (nor change) before the task does. After a job, the worker polls
 * the wake word briefly before sleeping: back-to-back jobs (a product's
 * packing then compute phase) come within microseconds, and a futex wake-up
 * would roughly double that gap. Error word 6, finished 3, tasks-by-workers 8.
 */
const WORKER_LOOP = String.raw`
function strataWasmWorker(module, memory, control, slot, spins, taskNames) {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const tasks = taskNames.map((name) => exports[name]);
  const words = new Int32Array(control);
  const claim = new BigInt64Array(control, 0, 1);
  for (;;) {
    const seen = Atomics.load(words, 2);
    if (slot <= Atomics.load(words, 7)) {
      for (;;) {
        const word = Atomics.load(claim, 0);
        const next = Number(word & 0xfffffn);
        const count = Number((word >> 20n) & 0xfffffn);
        if (next >= count) break;
        if (Atomics.compareExchange(claim, 0, word, word + 1n) !== word) continue;
        try {
          tasks[Atomics.load(words, 4)](Atomics.load(words, 5), next, slot);
        } catch (error) {
          Atomics.store(words, 6, 1);
        }
        Atomics.add(words, 8, 1);
        if (Atomics.add(words, 3, 1) + 1 === count) Atomics.notify(words, 3);
      }
    }
    for (let spin = 0; spin < spins && Atomics.load(words, 2) === seen; spin++);
    Atomics.wait(words, 2, seen);
  }
}
`;

/** A Node worker (`new Worker(source, { eval: true, workerData })`). */
export const NODE_WORKER_SOURCE = `${WORKER_LOOP}
const { workerData } = require('node:worker_threads');
strataWasmWorker(workerData.module, workerData.memory, workerData.control, workerData.slot, workerData.spins, workerData.taskNames);
`;

/** A browser worker (from a Blob URL), started by one message. */
export const BROWSER_WORKER_SOURCE = `${WORKER_LOOP}
self.onmessage = (event) => {
  const data = event.data;
  strataWasmWorker(data.module, data.memory, data.control, data.slot, data.spins, data.taskNames);
};
`;
