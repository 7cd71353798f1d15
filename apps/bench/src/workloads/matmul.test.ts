import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { loadJax } from '../peers/jax.js';
import { loadTfjs } from '../peers/tfjs.js';
import { seededNormal } from '../inputs.js';
import { matmulWorkloads } from './matmul.js';

/** The plain triple loop in float64: the reference every peer's product is checked against. */
function referenceProduct(n: number): Float32Array {
  const a = seededNormal(n * n, 1);
  const b = seededNormal(n * n, 2);
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < n; p++) sum += a[i * n + p]! * b[p * n + j]!;
      c[i * n + j] = sum;
    }
  }
  return c;
}

const matmul256 = matmulWorkloads.find((workload) => workload.id === 'matmul_256')!;

describe('matmul_256', () => {
  const reference = referenceProduct(256);

  it('feeds every peer the same seeded normal inputs', () => {
    const first = seededNormal(1000, 1);
    expect(seededNormal(1000, 1)).toEqual(first);
    expect(seededNormal(1000, 2)).not.toEqual(first);
    const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
  });

  it("Strata's runner computes A·B", () => {
    const runner = matmul256.prepare().strata();
    runner.run();
    expect(relativeDifference(runner.output!(), reference)).toBeLessThan(1e-5);
  });

  it.each(['cpu', 'wasm'] as const)("the TF.js %s runner computes A·B (the wasm binaries load from node_modules)", async (backend) => {
    const tfjs = await loadTfjs([backend]);
    await tfjs.use(backend);
    const runner = matmul256.prepare().tfjs(tfjs.tf);
    runner.run();
    expect(relativeDifference(runner.output!(), reference)).toBeLessThan(1e-5);
    runner.dispose!();
    expect(tfjs.tf.memory().numTensors).toBe(0);
  });

  it('the jax-js runner computes A·B (timed through runAsync, which waits for the lazy result)', async () => {
    const { jax } = await loadJax();
    const runner = matmul256.prepare().jax(jax);
    expect(() => runner.run()).toThrow(/runAsync/);
    await runner.runAsync!();
    expect(relativeDifference(runner.output!(), reference)).toBeLessThan(1e-5);
    runner.dispose!();
  });
});
