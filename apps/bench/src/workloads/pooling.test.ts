import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { seededNormal } from '../inputs.js';
import { loadJax } from '../peers/jax.js';
import { loadTfjs } from '../peers/tfjs.js';
import { poolingWorkloads } from './pooling.js';

const [batch, channels, size] = [32, 32, 32];

/** The input gradient of max pooling 2×2, stride 2, from ones: 1 at each window's maximum (plain loops). */
function maxPoolGradient(x: Float32Array): Float32Array {
  const gradient = new Float32Array(x.length);
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * size * size;
    for (let h = 0; h < size; h += 2) {
      for (let w = 0; w < size; w += 2) {
        let best = base + h * size + w;
        for (const at of [best + 1, best + size, best + size + 1]) if (x[at]! > x[best]!) best = at;
        gradient[best] = 1;
      }
    }
  }
  return gradient;
}

/** The input gradient of average pooling 3×3, stride 2, padding 1 (padding counted), from ones: 1/9 per covering window. */
function avgPoolGradient(): Float32Array {
  // Output o's window spans rows 2o − 1 … 2o + 1.
  const cover = Array.from({ length: size }, (_, i) => Array.from({ length: size / 2 }, (_, o) => o).filter((o) => Math.abs(i - 2 * o) <= 1).length);
  const gradient = new Float32Array(batch * channels * size * size);
  for (let i = 0; i < gradient.length; i++) {
    const w = i % size;
    const h = Math.floor(i / size) % size;
    gradient[i] = (cover[h]! * cover[w]!) / 9;
  }
  return gradient;
}

const [maxWorkload, avgWorkload] = poolingWorkloads as [(typeof poolingWorkloads)[0], (typeof poolingWorkloads)[0]];

describe('pooling workloads', () => {
  it('are maxpool2d_fwd_bwd and avgpool2d_fwd_bwd', () => {
    expect(poolingWorkloads.map((workload) => workload.id)).toEqual(['maxpool2d_fwd_bwd', 'avgpool2d_fwd_bwd']);
  });

  it("Strata's runners compute the input gradients", () => {
    const max = maxWorkload.prepare().strata();
    max.run();
    expect(relativeDifference(max.output!(), maxPoolGradient(seededNormal(batch * channels * size * size, 21)))).toBe(0);
    const avg = avgWorkload.prepare().strata();
    avg.run();
    expect(relativeDifference(avg.output!(), avgPoolGradient())).toBeLessThan(1e-6);
  });

  it('the TF.js cpu runners compute the same gradients', async () => {
    const tfjs = await loadTfjs(['cpu']);
    await tfjs.use('cpu');
    const max = maxWorkload.prepare().tfjs(tfjs.tf);
    max.run();
    expect(relativeDifference(max.output!(), maxPoolGradient(seededNormal(batch * channels * size * size, 21)))).toBe(0);
    max.dispose!();
    const avg = avgWorkload.prepare().tfjs(tfjs.tf);
    avg.run();
    expect(relativeDifference(avg.output!(), avgPoolGradient())).toBeLessThan(1e-6);
    avg.dispose!();
    expect(tfjs.tf.memory().numTensors).toBe(0);
  });

  it('the jax-js runners compute the same gradients (the average without jit, which miscompiles it)', async () => {
    const { jax } = await loadJax();
    const max = maxWorkload.prepare().jax(jax);
    await max.runAsync!();
    expect(relativeDifference(max.output!(), maxPoolGradient(seededNormal(batch * channels * size * size, 21)))).toBe(0);
    max.dispose!();
    const avg = avgWorkload.prepare().jax(jax);
    await avg.runAsync!();
    expect(relativeDifference(avg.output!(), avgPoolGradient())).toBeLessThan(1e-6);
    avg.dispose!();
  });
});
