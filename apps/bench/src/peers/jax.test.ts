import { afterEach, describe, expect, it, vi } from 'vitest';
import { relativeDifference } from '../harness.js';
import { embeddingWorkloads } from '../workloads/embedding.js';
import { trainingWorkloads } from '../workloads/training.js';
import { jaxArray, loadJax, readJax } from './jax.js';

describe('the jax-js peer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('loads from node_modules and runs on its wasm backend without fetching anything', async () => {
    const fetch = vi.fn(() => Promise.reject(new Error('no network in the bench')));
    vi.stubGlobal('fetch', fetch);
    const { jax, version, description } = await loadJax();
    expect(version).toBe('0.1.25');
    expect(description).toMatch(/^wasm backend/);
    expect(jax.defaultDevice()).toBe('wasm');
    const sum = jax.numpy.add(jaxArray(jax, new Float32Array([1, 2]), [2]), jaxArray(jax, new Float32Array([3, 4]), [2]));
    expect(sum.device).toBe('wasm');
    expect(readJax(sum)).toEqual(new Float32Array([4, 6]));
    sum.dispose();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("takes the MLP's two checked steps to the weights Strata's take it to", async () => {
    const { jax } = await loadJax();
    const prepared = trainingWorkloads[0]!.prepare();
    const strata = prepared.strata();
    const peer = prepared.jax(jax);
    await peer.runAsync!();
    expect(relativeDifference(strata.output!(), peer.output!())).toBeLessThan(1e-4);
    peer.dispose!();
  });

  it("gives the embedding table's gradient: how often each row was looked up, in every column", async () => {
    const { jax } = await loadJax();
    const prepared = embeddingWorkloads[0]!.prepare();
    const strata = prepared.strata();
    strata.run();
    const peer = prepared.jax(jax);
    await peer.runAsync!();
    const gradient = peer.output!();
    expect(gradient.length).toBe(10000 * 128);
    expect(relativeDifference(gradient, strata.output!())).toBe(0);
    expect(gradient.reduce((total, value) => total + value, 0)).toBe(64 * 64 * 128);
    peer.dispose!();
  });
});
