/**
 * The thread pool in a real browser: playwright-core drives Debian's
 * Chromium (/usr/bin/chromium; `.ci/run` installs it) on two pages served
 * from 127.0.0.1, one cross-origin isolated (COOP/COEP headers: Web Workers
 * share the wasm memory) and one not (one thread, and `threadingSupport()`
 * says why). The package is bundled for browsers as an application would
 * bundle it: the workers start from source text, with no file to find.
 */
import { existsSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What the page reports after its products. */
interface PageReport {
  available: boolean;
  reason: string | null;
  threads: number;
  workerTasks: number;
  sameBits: boolean;
  result: number[];
}

/** Runs in the page: a 256×256 product on one thread, then on two until the workers took part. */
const PAGE_SCRIPT = `
import * as strata from '/strata.js';
window.report = (async () => {
  const a = strata.randn([256, 256], { generator: new strata.Generator(7) });
  strata.setNumThreads(1);
  const single = strata.matmul(a, a).toTypedArray();
  strata.setNumThreads(2);
  let sameBits = true;
  for (let round = 0; round < 100 && (round < 3 || strata.wasmGemmWorkerTasks() === 0); round++) {
    const threaded = strata.matmul(a, a).toTypedArray();
    sameBits &&= threaded.every((value, index) => value === single[index]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { available, reason } = strata.threadingSupport();
  return { available, reason, threads: strata.getNumThreads(), workerTasks: strata.wasmGemmWorkerTasks(), sameBits, result: [...single.subarray(0, 64)] };
})();
`;

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

let browser: Browser;
let server: Server;
let base = '';

beforeAll(async () => {
  // The package, plus the count of tasks its workers ran, which tells that they took part.
  const index = fileURLToPath(new URL('../index.ts', import.meta.url));
  const gemmWasm = fileURLToPath(new URL('../backends/wasm/gemm-wasm.ts', import.meta.url));
  const bundled = await build({
    stdin: { contents: `export * from ${JSON.stringify(index)};\nexport { wasmGemmWorkerTasks } from ${JSON.stringify(gemmWasm)};\n`, resolveDir: '.', loader: 'ts' },
    bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'error',
  });
  const bundle = bundled.outputFiles[0]!.text;
  const page = `<!doctype html><meta charset="utf-8"><title>threads</title><script type="module">${PAGE_SCRIPT}</script>`;
  server = createServer((request, response) => {
    const isolated = request.url?.startsWith('/isolated') === true;
    if (request.url === '/strata.js') {
      response.writeHead(200, { 'content-type': 'text/javascript', 'cross-origin-resource-policy': 'same-origin' });
      response.end(bundle);
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(isolated ? ISOLATION : {}) });
      response.end(page);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function reportOf(path: string): Promise<PageReport> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  const report = await page.evaluate(() => (window as unknown as { report: Promise<PageReport> }).report);
  await page.close();
  expect(errors).toEqual([]);
  return report;
}

describe.skipIf(!existsSync(CHROMIUM))('threads in Chromium', () => {
  let isolatedResult: number[] = [];

  it('run products on Web Workers on a cross-origin-isolated page, with the bits of one thread', async () => {
    const report = await reportOf('/isolated');
    expect(report).toMatchObject({ available: true, reason: null, threads: 2, sameBits: true });
    expect(report.workerTasks).toBeGreaterThan(0);
    isolatedResult = report.result;
  });

  it('run on one thread, and say why, on a page that is not isolated', async () => {
    const report = await reportOf('/plain');
    expect(report).toMatchObject({ available: false, threads: 1, workerTasks: 0, sameBits: true });
    expect(report.reason).toMatch(/not cross-origin isolated/);
    // The unshared module computes the same bits as the threaded one.
    if (isolatedResult.length > 0) expect(report.result).toEqual(isolatedResult);
  });
});
