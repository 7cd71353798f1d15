/**
 * The browser runner: the page's server sends the isolation headers, and
 * Chromium (/usr/bin/chromium; `.ci/run` installs it) runs the CNN step from
 * the bundled page to the same logits as Node. A few seconds; no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relativeDifference } from '../harness.js';
import { cnnWorkloads } from '../workloads/cnn.js';
import { isolationHeaders, openBrowserPeer, pageFolder, servePage } from './browser.js';

/** The page bundle, built first when missing (`pnpm build` makes it in CI before the tests). */
function ensurePageBuilt(): void {
  if (existsSync(join(pageFolder(), 'page.js'))) return;
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: join(pageFolder(), '..', '..'), stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the bench build failed');
}

describe('the browser runner', () => {
  it('serves the page and its bundle cross-origin isolated, and nothing else', async () => {
    ensurePageBuilt();
    const { server, url } = await servePage(pageFolder());
    try {
      for (const path of ['', 'page.js']) {
        const response = await fetch(`${url}${path}`);
        expect(response.status).toBe(200);
        for (const [name, value] of Object.entries(isolationHeaders)) expect(response.headers.get(name)).toBe(value);
      }
      expect((await fetch(`${url}../package.json`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it("times cnn_train_step in Chromium, cross-origin isolated, to Node's logits", async () => {
    ensurePageBuilt();
    const browser = await openBrowserPeer();
    try {
      expect(browser.version).toMatch(/^Chromium \d+/);
      expect(browser.crossOriginIsolated).toBe(true);
      // Isolated, so the matrix product uses a thread per core, as in Node.
      expect(browser.threads).toBe(availableParallelism());
      expect(browser.ids).toEqual(['cnn_train_step']);
      const policy = { warmups: 0, reps: 1, minSeconds: 0, maxReps: 1, capSeconds: 60 };
      const { measurement, output } = await browser.run('cnn_train_step', policy);
      expect(measurement.reps).toBe(1);
      expect(measurement.medianMs).toBeGreaterThan(0);
      const node = cnnWorkloads.find((workload) => workload.id === 'cnn_train_step')!.prepare().strata();
      expect(output).toHaveLength(64 * 10);
      expect(relativeDifference(output!, node.output!())).toBeLessThan(1e-5);
      await expect(browser.run('matmul_512', policy)).rejects.toThrow(/no workload matmul_512/);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
