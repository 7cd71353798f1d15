/**
 * Times `gemm` on square products and prints GFLOP/s (2·n³ FLOP per product,
 * median of 10 timed runs after 3 warm-ups).
 *
 * Usage: npx tsx scripts/matmul-speed.ts [sizes] [dtypes]
 *   sizes   comma-separated, default 256,512,1024
 *   dtypes  comma-separated float32/float64, default float32
 *
 * A dev tool only: run it on an otherwise idle machine, and compare numbers
 * only from the same machine, since shared virtual CPUs drift by ±30%.
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

function measure(dtype: DTypeName, size: number): { milliseconds: number; gigaflops: number } {
  const a = randomMatrix(dtype, size);
  const b = randomMatrix(dtype, size);
  const c = dtype === 'float32' ? new Float32Array(size * size) : new Float64Array(size * size);
  const run = (): void => gemm(size, size, size, a, 0, size, 1, b, 0, size, 1, c, 0, false);
  for (let round = 0; round < WARM_UPS; round++) run();
  const durations: number[] = [];
  for (let round = 0; round < TIMED_RUNS; round++) {
    const start = performance.now();
    run();
    durations.push(performance.now() - start);
  }
  const milliseconds = median(durations);
  return { milliseconds, gigaflops: (2 * size ** 3) / (milliseconds * 1e6) };
}

const sizes = (process.argv[2] ?? '256,512,1024').split(',').map(Number);
const dtypes = (process.argv[3] ?? 'float32').split(',') as DTypeName[];
for (const dtype of dtypes) {
  for (const size of sizes) {
    const { milliseconds, gigaflops } = measure(dtype, size);
    console.log(`${dtype} ${size}×${size}×${size}: ${milliseconds.toFixed(1)} ms, ${gigaflops.toFixed(2)} GFLOP/s`);
  }
}
