/**
 * Times `gemm` on square products and prints GFLOP/s (2·n³ FLOP per product,
 * median of 10 timed runs after 3 warm-ups).
 *
 * Usage: npx tsx scripts/matmul-speed.ts [sizes] [dtypes]
 *   sizes   comma-separated, default 256,512,1024
 *   dtypes  comma-separated float32/float64, default float32
 *
 * A dev tool only. Wall-clock time is the headline number, but on a busy or
 * shared machine it mostly measures the neighbours, so the process's CPU time
 * per product is printed too (it includes V8's helper threads, which are idle
 * once the code is warm). Compare numbers only from the same machine.
 */
import { gemm } from '../src/kernels/matmul.js';

const WARM_UPS = 3;
const TIMED_RUNS = 10;

type DTypeName = 'float32' | 'float64';

function randomMatrix(dtype: DTypeName, size: number): Float32Array | Float64Array {
  const matrix = dtype === 'float32' ? new Float32Array(size * size) : new Float64Array(size * size);
  for (let index = 0; index < matrix.length; index++) matrix[index] = Math.random() * 2 - 1;
  return matrix;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Timing {
  milliseconds: number;
  gigaflops: number;
  cpuGigaflops: number;
}

function measure(dtype: DTypeName, size: number): Timing {
  const a = randomMatrix(dtype, size);
  const b = randomMatrix(dtype, size);
  const c = dtype === 'float32' ? new Float32Array(size * size) : new Float64Array(size * size);
  const run = (): void => gemm(size, size, size, a, 0, size, 1, b, 0, size, 1, c, 0, false);
  for (let round = 0; round < WARM_UPS; round++) run();
  const durations: number[] = [];
  const cpuDurations: number[] = [];
  for (let round = 0; round < TIMED_RUNS; round++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    run();
    durations.push(performance.now() - start);
    const cpuUsed = process.cpuUsage(cpuStart);
    cpuDurations.push((cpuUsed.user + cpuUsed.system) / 1000);
  }
  const flop = 2 * size ** 3;
  const milliseconds = median(durations);
  return { milliseconds, gigaflops: flop / (milliseconds * 1e6), cpuGigaflops: flop / (median(cpuDurations) * 1e6) };
}

const sizes = (process.argv[2] ?? '256,512,1024').split(',').map(Number);
const dtypes = (process.argv[3] ?? 'float32').split(',') as DTypeName[];
for (const dtype of dtypes) {
  for (const size of sizes) {
    const { milliseconds, gigaflops, cpuGigaflops } = measure(dtype, size);
    console.log(
      `${dtype} ${size}×${size}×${size}: ${milliseconds.toFixed(1)} ms, ${gigaflops.toFixed(2)} GFLOP/s` +
        ` (${cpuGigaflops.toFixed(2)} GFLOP/s of CPU time)`,
    );
  }
}
