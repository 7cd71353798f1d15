import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { loadTfjs } from '../peers/tfjs.js';
import { UnsupportedError } from '../workload.js';
import { convWorkloads } from './conv.js';

const byId = Object.fromEntries(convWorkloads.map((workload) => [workload.id, workload]));

describe('the convolution workloads', () => {
  it('count 2 FLOP per multiply-add of the forward pass, three passes with backward', () => {
    // 2 · N · C_out · C_in · kernel volume · output positions (transposed: input positions).
    expect(byId.conv2d_fwd!.flop).toBe(2 * 32 * 32 * 16 * 9 * 32 * 32);
    expect(byId.conv2d_fwd_bwd!.flop).toBe(3 * 2 * 32 * 32 * 16 * 9 * 32 * 32);
    expect(byId.conv1d_fwd_bwd!.flop).toBe(3 * 2 * 32 * 64 * 64 * 5 * 256);
    expect(byId.conv3d_fwd_bwd!.flop).toBe(3 * 2 * 4 * 16 * 8 * 27 * 16 * 32 * 32);
    expect(byId.convt2d_fwd_bwd!.flop).toBe(3 * 2 * 16 * 32 * 16 * 16 * 16 * 16);
  });

  it("Strata's conv2d_fwd agrees with TF.js wasm's (NHWC, transposed back)", async () => {
    const tfjs = await loadTfjs(['wasm']);
    await tfjs.use('wasm');
    const prepared = byId.conv2d_fwd!.prepare();
    const strata = prepared.strata();
    strata.run();
    const peer = prepared.tfjs(tfjs.tf);
    peer.run();
    expect(relativeDifference(strata.output!(), peer.output!())).toBeLessThan(1e-5);
    peer.dispose!();
    expect(tfjs.tf.memory().numTensors).toBe(0);
  });

  it("Strata's conv3d weight gradient agrees with TF.js wasm's", async () => {
    const tfjs = await loadTfjs(['wasm']);
    await tfjs.use('wasm');
    const prepared = byId.conv3d_fwd_bwd!.prepare();
    const strata = prepared.strata();
    strata.run();
    const peer = prepared.tfjs(tfjs.tf);
    peer.run();
    expect(relativeDifference(strata.output!(), peer.output!())).toBeLessThan(1e-4);
    peer.dispose!();
    expect(tfjs.tf.memory().numTensors).toBe(0);
  });

  it('reports that TF.js wasm cannot compute a conv2d weight gradient', async () => {
    const tfjs = await loadTfjs(['wasm']);
    await tfjs.use('wasm');
    for (const id of ['conv2d_fwd_bwd', 'conv1d_fwd_bwd', 'convt2d_fwd_bwd']) {
      expect(() => byId[id]!.prepare().tfjs(tfjs.tf)).toThrow(UnsupportedError);
    }
  });
});
