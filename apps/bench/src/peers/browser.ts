/**
 * Strata in a browser: Debian's Chromium, driven by playwright-core, opens
 * the bench page (src/browser/page.ts, bundled by tsup into dist/browser/)
 * from a local HTTP server that sends the COOP/COEP headers, so the page is
 * cross-origin isolated (SharedArrayBuffer, and so WebAssembly threads, are
 * allowed there). The page times the same step with the same harness and
 * inputs as Node; nothing is fetched from outside 127.0.0.1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { Measurement, TimingPolicy } from '../harness.js';
import type { BrowserBench } from '../browser/page.js';

/** Where Debian's `chromium` package puts the browser; `CHROMIUM_PATH` overrides it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The headers that make a page cross-origin isolated. */
export const isolationHeaders = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata bench: loading</title></head>
<body><p>Strata's benchmark page: driven by <code>pnpm bench --peers strata-browser</code>.</p>
<script type="module" src="/page.js"></script></body></html>
`;

/** The folder of the bundled page: dist/browser/ of this package, from src/ (tests) or dist/ (the built harness). */
export function pageFolder(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('bench: cannot find the @strata/bench package folder');
    folder = parent;
  }
  return join(folder, 'dist', 'browser');
}

/** Serves the page (`/`) and its bundle (`/page.js`, `/page.js.map`) with {@link isolationHeaders}; 404 for anything else. */
export function servePage(folder: string): Promise<{ server: Server; url: string }> {
  const files: Record<string, { path: string; type: string }> = {
    '/page.js': { path: join(folder, 'page.js'), type: 'text/javascript' },
    '/page.js.map': { path: join(folder, 'page.js.map'), type: 'application/json' },
  };
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (pathname === '/' || pathname === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...isolationHeaders });
      response.end(PAGE_HTML);
      return;
    }
    const file = files[pathname];
    if (file === undefined || !existsSync(file.path)) {
      response.writeHead(404, { 'content-type': 'text/plain', ...isolationHeaders });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.type, ...isolationHeaders });
    response.end(readFileSync(file.path));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

/** The page, open in Chromium and ready to time. */
export interface BrowserPeer {
  /** e.g. `Chromium 140.0.7339.185`. */
  readonly version: string;
  /** Whether the page is cross-origin isolated. */
  readonly crossOriginIsolated: boolean;
  /** The threads Strata's matrix product uses in the page. */
  readonly threads: number;
  /** The workload ids the page can time. */
  readonly ids: readonly string[];
  /** Times a workload in the page; the output comes back for the check. */
  run(id: string, policy: TimingPolicy): Promise<{ measurement: Measurement; output: Float32Array | undefined }>;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the server, launches headless Chromium and opens the page.
 * @throws Error when Chromium or the bundled page is missing, or the page fails to load.
 */
export async function openBrowserPeer(): Promise<BrowserPeer> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found (apt-get install chromium)`);
  const folder = pageFolder();
  if (!existsSync(join(folder, 'page.js'))) throw new Error(`${join(folder, 'page.js')} not built (pnpm --filter @strata/bench build)`);
  const { server, url } = await servePage(folder);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => 'strataBench' in window, undefined, { timeout: 30_000 }).catch(() => {
      throw new Error(`the bench page did not start${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
    });
    const { ids, crossOriginIsolated, threads } = await page.evaluate(() => ({
      ids: [...window.strataBench.ids],
      crossOriginIsolated: window.strataBench.crossOriginIsolated,
      threads: window.strataBench.threads,
    }));
    const opened = browser;
    return {
      version: `Chromium ${opened.version()}`,
      crossOriginIsolated,
      threads,
      ids,
      run: async (id, policy) => {
        const result = await page.evaluate(([workload, timing]) => (window as unknown as { strataBench: BrowserBench }).strataBench.run(workload, timing), [id, policy] as const);
        return { measurement: result.measurement, output: result.output === null ? undefined : Float32Array.from(result.output) };
      },
      close: async () => {
        await opened.close();
        server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    server.close();
    throw error;
  }
}
