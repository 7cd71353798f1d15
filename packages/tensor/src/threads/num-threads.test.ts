import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_NUM_THREADS, getNumThreads, setNumThreads, threadingSupport } from './num-threads.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

describe('setNumThreads / getNumThreads', () => {
  it('default to the number of cores in Node, where threads are available', () => {
    expect(threadingSupport()).toEqual({ available: true, reason: null });
    if (process.env.STRATA_NUM_THREADS === undefined) expect(initialThreads).toBe(availableParallelism());
  });

  it('set and read back any count from 1 to 256', () => {
    for (const count of [1, 3, 4, MAX_NUM_THREADS]) {
      setNumThreads(count);
      expect(getNumThreads()).toBe(count);
    }
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 257, '2', null, undefined])(
    'rejects %s with a RangeError naming setNumThreads',
    (bad) => {
      setNumThreads(2);
      expect(() => setNumThreads(bad as number)).toThrow(RangeError);
      expect(() => setNumThreads(bad as number)).toThrow(/^setNumThreads: expected an integer from 1 to 256, got /);
      expect(getNumThreads()).toBe(2);
    },
  );

  it('answer 1, and say why once, where shared memory is missing', async () => {
    vi.resetModules();
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const fresh = await import('./num-threads.js');
      expect(fresh.threadingSupport().available).toBe(false);
      expect(fresh.threadingSupport().reason).toBe('SharedArrayBuffer is unavailable in this runtime');
      expect(fresh.getNumThreads()).toBe(1);
      expect(warn).not.toHaveBeenCalled();
      fresh.setNumThreads(4);
      fresh.setNumThreads(3);
      expect(fresh.getNumThreads()).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/setNumThreads asked for 4 threads, but kernels run on one thread: SharedArrayBuffer/);
    } finally {
      warn.mockRestore();
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describe('the worker pool in a child Node process', () => {
  let folder = '';
  const index = fileURLToPath(new URL('../index.ts', import.meta.url));
  const gemmWasm = fileURLToPath(new URL('../backends/wasm/gemm-wasm.ts', import.meta.url));

  beforeAll(async () => {
    // Bundled as an application would bundle @strata/tensor: the workers start from source text, not a file.
    folder = mkdtempSync(join(tmpdir(), 'strata-threads-'));
    // The package, plus the count of tasks its workers ran, which tells that they took part.
    const entry = join(folder, 'entry.ts');
    writeFileSync(entry, `export * from ${JSON.stringify(index)};\nexport { wasmGemmWorkerTasks } from ${JSON.stringify(gemmWasm)};\n`);
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: join(folder, 'strata.mjs'), logLevel: 'error' });
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', outfile: join(folder, 'strata.cjs'), logLevel: 'error' });
    const work = `
      const a = strata.randn([512, 512]);
      const first = strata.matmul(a, a).toTypedArray();
      // Let the workers start, then run products until they take part.
      for (let round = 0; round < 40 && (round < 4 || strata.wasmGemmWorkerTasks() === 0); round++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const again = strata.matmul(a, a).toTypedArray();
        if (again.some((value, index) => value !== first[index])) throw new Error('products differ');
      }
      console.log(JSON.stringify({ threads: strata.getNumThreads(), workerTasks: strata.wasmGemmWorkerTasks() }));
    `;
    writeFileSync(join(folder, 'esm.mjs'), `import * as strata from './strata.mjs';\n${work}`);
    writeFileSync(join(folder, 'cjs.cjs'), `const strata = require('./strata.cjs');\n(async () => {\n${work}\n})();`);
  }, 60_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  interface ChildResult {
    status: number | null;
    signal: string | null;
    threads: number;
    workerTasks: number;
    stderr: string;
  }

  function runChild(script: string, threads: string | undefined): ChildResult {
    const env: Record<string, string | undefined> = { ...process.env, STRATA_NUM_THREADS: threads };
    if (threads === undefined) delete env.STRATA_NUM_THREADS;
    // The timeout is what catches a pool that keeps the process alive.
    const result = spawnSync(process.execPath, [join(folder, script)], { env, encoding: 'utf8', timeout: 60_000 });
    const line = result.stdout.trim().split('\n').pop() ?? '';
    const printed = line === '' ? { threads: Number.NaN, workerTasks: Number.NaN } : JSON.parse(line) as { threads: number; workerTasks: number };
    return { status: result.status, signal: result.signal, ...printed, stderr: result.stderr };
  }

  it.each(['esm.mjs', 'cjs.cjs'])('exits on its own after threaded products (%s), with STRATA_NUM_THREADS respected', (script) => {
    const result = runChild(script, '2');
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.threads).toBe(2);
    expect(result.workerTasks).toBeGreaterThan(0);
    expect(runChild(script, '3').threads).toBe(3);
    const single = runChild(script, '1');
    expect(single.threads).toBe(1);
    expect(single.workerTasks).toBe(0);
  });

  it('warns about a malformed STRATA_NUM_THREADS and keeps the default', () => {
    const result = runChild('esm.mjs', 'many');
    expect(result.status).toBe(0);
    expect(result.threads).toBe(availableParallelism());
    expect(result.stderr).toMatch(/STRATA_NUM_THREADS="many" is not an integer from 1 to 256/);
  });
});
