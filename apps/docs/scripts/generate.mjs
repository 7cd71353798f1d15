// Everything the site generates before VitePress runs:
// 1. the API reference (TypeDoc → reference/, failing on any warning),
// 2. the parity report (the PyTorch fixtures replayed → generated/parity.md),
// 3. the performance table (the committed bench JSON → generated/performance.md),
// 4. the headline figures of the home page (generated/headline.md),
// 5. the Fashion-MNIST subset of examples/fashion-mnist as a static asset (public/data/).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { formatParity, formatPerformance, formatHeadline } from './format-reports.mjs';

const docs = fileURLToPath(new URL('..', import.meta.url));
const repository = join(docs, '..', '..');
const generated = join(docs, 'generated');
const started = performance.now();

function step(name, run) {
  const t0 = performance.now();
  run();
  console.log(`generate: ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

function fail(message) {
  console.error(`generate: ${message}`);
  process.exit(1);
}

rmSync(generated, { recursive: true, force: true });
mkdirSync(generated, { recursive: true });

step('API reference (TypeDoc)', () => {
  rmSync(join(docs, 'reference'), { recursive: true, force: true });
  const typedoc = spawnSync(process.execPath, [join(docs, 'node_modules', 'typedoc', 'bin', 'typedoc')], { cwd: docs, stdio: 'inherit' });
  if (typedoc.status !== 0) fail('TypeDoc failed (a warning counts: an undocumented export, a broken {@link}, a type that is not exported)');
});

let parity;
await (async () => {
  const t0 = performance.now();
  const bundle = join(docs, 'node_modules', '.cache', 'strata-docs', 'parity-report.mjs');
  await build({ entryPoints: [join(docs, 'scripts', 'parity-report.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, external: ['@strata/*'], logLevel: 'warning' });
  const run = spawnSync(process.execPath, ['--no-warnings', bundle, join(repository, 'packages')], { cwd: docs, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) fail(`the parity report failed:\n${run.stderr}`);
  parity = JSON.parse(run.stdout);
  writeFileSync(join(generated, 'parity.md'), formatParity(parity));
  console.log(`generate: parity report (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
})();

let bench;
step('performance table', () => {
  bench = JSON.parse(readFileSync(join(docs, 'data', 'bench.json'), 'utf8'));
  writeFileSync(join(generated, 'performance.md'), formatPerformance(bench));
});

step('headline figures', () => writeFileSync(join(generated, 'headline.md'), formatHeadline(parity, bench)));

step('Fashion-MNIST subset', () => {
  const source = join(repository, 'examples', 'fashion-mnist', 'data');
  const target = join(docs, 'public', 'data', 'fashion-mnist');
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(source)) {
    if (file.endsWith('.gz') || file === 'LICENSE') copyFileSync(join(source, file), join(target, file));
  }
  mkdirSync(dirname(target), { recursive: true });
});

console.log(`generate: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
