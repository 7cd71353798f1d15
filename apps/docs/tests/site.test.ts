/**
 * The built site in a real browser: playwright-core drives Debian's Chromium
 * (/usr/bin/chromium; `.ci/run` installs it) against .vitepress/dist served on
 * 127.0.0.1. Builds the site first when it is missing (`pnpm docs:build`).
 * Screenshots go to test-results/ (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-server.js';

const docs = fileURLToPath(new URL('..', import.meta.url));
const dist = join(docs, '.vitepress', 'dist');
const screenshots = join(docs, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The training demo's run: seeded, short, and the bar its loss must fall under. */
const TRAIN_STEPS = 60;
const TRAIN_SEED = 0;
const LOSS_BAR = 1.2;

let browser: Browser;
let server: Server;
let base: string;

/** Opens `path` in a new page, collecting console errors, page errors and failed same-origin requests. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.url().startsWith(base) && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${base}${path}`, { waitUntil: 'load' });
  return { page, problems };
}

/** Whether every canvas of the demo has at least two different pixel colours. */
async function canvasesDrawn(page: Page, demo: string): Promise<boolean> {
  return page.evaluate((name) => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>(`[data-demo="${name}"] canvas`)];
    return (
      canvases.length > 0 &&
      canvases.every((canvas) => {
        if (canvas.width === 0 || canvas.height === 0) return false;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 4; i < data.length; i += 4) {
          if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) return true;
        }
        return false;
      })
    );
  }, demo);
}

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    const build = spawnSync('pnpm', ['run', 'docs:build'], { cwd: docs, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the docs build failed');
  }
  mkdirSync(screenshots, { recursive: true });
  ({ server, url: base } = await serveStatic(dist));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('the built docs site', () => {
  it('has no broken internal link: every page and asset reached from the home page answers 200', async () => {
    // Over HTTP, every page: the reference alone has hundreds, too many to open in a browser here.
    const seen = new Set<string>(['/']);
    const queue = ['/'];
    const broken: string[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      const response = await fetch(`${base}${path}`);
      if (response.status !== 200) {
        broken.push(`${response.status} ${path}`);
        continue;
      }
      if (!(response.headers.get('content-type') ?? '').startsWith('text/html')) continue;
      const html = await response.text();
      for (const [, link] of html.matchAll(/(?:href|src)="([^"#?]+)[^"]*"/g)) {
        if (link === undefined || /^[a-z]+:/i.test(link) || link.startsWith('//')) continue;
        const target = new URL(link, `${base}${path}`).pathname;
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(seen.size).toBeGreaterThan(100);
  }, 300_000);

  it('opens every page of the site in the browser with no console error, page error or failed request', async () => {
    // Every HTML file of the build, reference pages included; one tab goes from page to page, so the
    // theme's scripts load once and each further page costs one document and its own chunks.
    const pages = (readdirSync(dist, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((file) => file.endsWith('.html') && file !== '404.html')
      .map((file) => `/${file.replaceAll('\\', '/').replace(/index\.html$/, '').replace(/\.html$/, '')}`)
      .sort();
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    let current = '';
    const problems: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${current}: console: ${message.text()}`);
    });
    tab.on('pageerror', (error) => problems.push(`${current}: page error: ${error.message}`));
    tab.on('response', (response) => {
      if (response.url().startsWith(base) && response.status() >= 400) problems.push(`${current}: ${response.status()} ${response.url()}`);
    });
    for (const path of pages) {
      current = path;
      const response = await tab.goto(`${base}${path}`, { waitUntil: 'load' });
      if (response === null || response.status() !== 200) problems.push(`${path}: ${response?.status() ?? 'no response'}`);
    }
    await tab.close();
    expect(problems).toEqual([]);
    expect(pages.length).toBeGreaterThan(500);
  }, 1_200_000);

  it('shows the home page and the Conv2d reference', async () => {
    const home = await open('/');
    await expect(home.page.locator('.VPHero').textContent()).resolves.toContain('Strata');
    await home.page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
    await home.page.close();
    const reference = await open('/reference/@strata/layers-conv/classes/Conv2d');
    await expect(reference.page.locator('h1').first().textContent()).resolves.toContain('Conv2d');
    await reference.page.screenshot({ path: join(screenshots, 'reference-conv2d.png'), fullPage: true });
    expect(reference.problems).toEqual([]);
    await reference.page.close();
  }, 60_000);

  it('finds Conv2d with the local search', async () => {
    const { page } = await open('/');
    await page.locator('.VPNavBarSearch button').first().click();
    await page.locator('.VPLocalSearchBox input').fill('Conv2d');
    // The class page, not only the function conv2d (the search ignores case).
    const classResult = page.locator('.VPLocalSearchBox .result', { hasText: /Class: Conv2d/ });
    await classResult.first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(screenshots, 'search-conv2d.png') });
    await page.close();
  }, 60_000);

  for (const demo of ['conv-pooling', 'norms', 'dropout', 'embedding']) {
    it(`draws the ${demo} demo`, async () => {
      const { page, problems } = await open(`/demos/${demo}`);
      await page.waitForFunction((name) => document.querySelector(`[data-demo="${name}"] canvas`) !== null, demo, { timeout: 30_000 });
      await expect.poll(() => canvasesDrawn(page, demo), { timeout: 30_000 }).toBe(true);
      await page.screenshot({ path: join(screenshots, `demo-${demo}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    }, 90_000);
  }

  it(`trains the CNN in a Web Worker: the seeded loss falls below ${LOSS_BAR} within ${TRAIN_STEPS} steps, with stop and resume`, async () => {
    const { page, problems } = await open(`/demos/train-cnn?steps=${TRAIN_STEPS}&seed=${TRAIN_SEED}`);
    const demo = page.locator('[data-demo="train-cnn"]');
    await demo.waitFor();
    const losses = async (): Promise<number[]> => JSON.parse((await page.locator('[data-test="losses"]').textContent()) ?? '[]') as number[];
    await page.locator('[data-test="start"]').click();
    await expect.poll(async () => (await losses()).length, { timeout: 120_000 }).toBeGreaterThanOrEqual(5);

    await page.locator('[data-test="pause"]').click();
    await expect.poll(() => demo.getAttribute('data-state')).toBe('paused');
    await page.waitForTimeout(1500);
    const atPause = (await losses()).length;
    await page.waitForTimeout(1500);
    expect((await losses()).length, 'no steps while stopped').toBe(atPause);
    await page.locator('[data-test="resume"]').click();

    await expect.poll(() => demo.getAttribute('data-state'), { timeout: 300_000, interval: 1000 }).toBe('done');
    const curve = await losses();
    expect(curve).toHaveLength(TRAIN_STEPS);
    const last = curve.slice(-10).reduce((sum, value) => sum + value, 0) / 10;
    expect(curve[0]).toBeGreaterThan(2);
    expect(last).toBeLessThan(LOSS_BAR);
    expect(await canvasesDrawn(page, 'train-cnn')).toBe(true);
    await expect(page.locator('[data-test="confusion"] td').count()).resolves.toBe(100);
    await page.screenshot({ path: join(screenshots, 'demo-train-cnn.png'), fullPage: true });

    // The weights download as safetensors: an 8-byte little-endian header length, then the JSON header with PyTorch's keys.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="download"]').click()]);
    expect(download.suggestedFilename()).toBe('strata-fashion-mnist-cnn.safetensors');
    const bytes = readFileSync((await download.path())!);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { shape: number[] }>;
    expect(header['0.weight']?.shape).toEqual([32, 1, 3, 3]);
    expect(header['4.running_mean']?.shape).toEqual([64]);
    expect(header['11.weight']?.shape).toEqual([10, 128]);
    expect(problems).toEqual([]);
    await page.close();
  }, 420_000);
});
