import { exposedGarbageCollector, soakCnn } from './soak.js';

// `pnpm soak [steps]`: trains the CNN in a plain synchronous loop and prints the memory every 500 steps.
const requested = Number(process.argv[2] ?? 10_000);
const steps = Number.isInteger(requested) && requested > 0 ? requested : 10_000;
const collect = await exposedGarbageCollector();
const megabytes = (bytes: number): string => (bytes / 2 ** 20).toFixed(1).padStart(8);
console.log(`Soak: the CNN, batch 16, Adam, ${steps} synchronous steps; memory after a forced GC, in MiB`);
console.log('    step     heap  buffers      rss');
const started = performance.now();
soakCnn({
  steps,
  collect,
  onSample: (sample) =>
    console.log(`${String(sample.step).padStart(8)} ${megabytes(sample.heapUsed)} ${megabytes(sample.arrayBuffers)} ${megabytes(sample.rss)}`),
});
console.log(`${steps} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`);
