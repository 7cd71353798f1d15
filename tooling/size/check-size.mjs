#!/usr/bin/env node
/**
 * Size budgets: what a browser app pays for Strata, minified and gzipped.
 * Each case is a program that imports some of Strata, bundled by esbuild
 * for the browser (ESM, minified, tree-shaken) from the built packages.
 *
 * - The budgets (checked): `Linear` alone, `Conv2d` alone, the seed packages
 *   together (the "everything" the budget of 110 KB was set for: tensor to
 *   train), and everything the umbrella holds now (`export * from
 *   '@strata/nn'`, recurrent and attention layers included) and its CDN bundle.
 * - Every browser entry point of every public package (found from
 *   packages/*\/package.json; `./node` entries are Node-only and skipped) is
 *   measured and printed too, so a new package or subpath shows up here
 *   without editing this file; one that does not bundle for browsers fails.
 *
 * Usage: node tooling/size/check-size.mjs (packages built first). Exits 1 when
 * a budget is exceeded; writes tooling/size/.test-result.json for CI.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { browserBundleFile, publicPackages } from '../packaging/manifests.mjs';

/** The packages the "everything ≤ 110 KB" budget was set for, before the recurrent and attention layers. */
const seedPackages = ['tensor', 'autograd', 'module', 'layers-conv', 'layers-norm', 'layers-misc', 'losses', 'optim', 'train'];
const seedProgram = seedPackages
  .map((name, index) => `import * as p${index} from '@strata/${name}';`)
  .concat(`export { ${seedPackages.map((_, index) => `p${index}`).join(', ')} };`)
  .join('\n');

/**
 * Budgets in KiB of gzip (level 9) of the minified bundle. They were 45, 55,
 * 110 and 130 KB before the speed work of the performance issue, which added,
 * measured on these bundles: the worker pool of the threaded matrix product
 * (@strata/tensor's Threads, 3.6 KB in every bundle), float32 copies of the
 * elementwise loops and the fused activation backwards (about 2 KB), the
 * shifted-column convolution and 2-D pooling loops (about 3 KB), and
 * layers-norm's WebAssembly SIMD norm kernels (about 5 KB, the base64 module
 * included): Linear alone 43.1 → 49.3 KB, Conv2d alone 51.0 → 59.6, the seed
 * packages 108.3 → 122.8, the umbrella 118.2 → 133.9. Each budget keeps about
 * 1 KB (2 for the larger two) of room over that. Then, in the next round:
 * the CNN speed work on layers-conv (branch-free 2×2 max pooling, 3×3 col2im
 * gather, shifted layouts with unpadded rows, 2-D average pooling bounds)
 * added 2.0 KB (Conv2d alone 59.6 → 61.6 KB, the seed packages 122.8 →
 * 124.7); layers-attention's WebAssembly SIMD softmax and head moves 2.1 KB
 * to the umbrella (the base64 module included); optim's WebAssembly SIMD
 * momentum update (sgd.wat, 1.1 KB with its loader) to the seed packages
 * and the umbrella; @strata/tensor's gemm epilogue (the bias written in
 * wasm memory, stores for the first depth block), its transposing packs and `allocateForOverwrite` 1.1 KB to every
 * bundle (Linear alone 49.3 → 50.4); layers-recurrent's whole-sequence LSTM
 * and its float32 exp and tanh 2.2 KB to the umbrella. Measured after all of
 * it: Linear alone 50.5 KB, Conv2d alone 62.8, the seed packages 127.0, the
 * umbrella 142.2. Then the fused attention tasks (attention-tasks.wat,
 * spliced into the gemm's module, with its loader) added 1.5 KB to every
 * bundle, and layers-attention's fused op 2.3 KB more to the umbrella:
 * Linear alone 52.0, Conv2d alone 64.3, the seed packages 128.3, the
 * umbrella 146.0. Then layers-conv's WebAssembly convolution forward
 * (conv.wat with its loader, on the exported WasmTaskPool) 3.2 KB to
 * Conv2d and everything that holds it, and the pool's generalization and
 * the fused multiply-add rewrite 0.5 KB to every bundle: Linear alone
 * 52.5, Conv2d alone 67.5, the seed packages 131.5, the umbrella 149.3;
 * each budget keeps 1.5 KB of room over that.
 */
const UMBRELLA_KIB = 151;
const budgets = [
  { name: 'Linear alone', code: "export { Linear } from '@strata/layers-misc';", kib: 54 },
  { name: 'Conv2d alone', code: "export { Conv2d } from '@strata/layers-conv';", kib: 69 },
  { name: 'the seed packages together', code: seedProgram, kib: 133 },
  { name: 'everything (@strata/nn)', code: "export * from '@strata/nn';", kib: UMBRELLA_KIB },
];

const here = dirname(fileURLToPath(import.meta.url));
const packages = publicPackages();

// A node_modules that links every public package, so that a case resolves @strata/* as an app would.
const project = mkdtempSync(join(tmpdir(), 'strata-size-'));
mkdirSync(join(project, 'node_modules', '@strata'), { recursive: true });
for (const { directory, manifest } of packages) symlinkSync(directory, join(project, 'node_modules', ...manifest.name.split('/')));

async function gzipSizeOf(code) {
  const result = await esbuild.build({
    stdin: { contents: code, resolveDir: project, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
let passed = 0;
let failed = 0;
console.log('budget                          minified       gzip   budget');
for (const budget of budgets) {
  const size = await gzipSizeOf(budget.code);
  const ok = size.gzip <= budget.kib * 1024;
  if (ok) passed++;
  else failed++;
  console.log(`${budget.name.padEnd(30)} ${kib(size.bytes).padStart(10)} ${kib(size.gzip).padStart(10)}  ≤ ${budget.kib} KB ${ok ? 'ok' : 'OVER BUDGET'}`);
}
const umbrella = packages.find(({ manifest }) => manifest.name === '@strata/nn');
if (umbrella !== undefined) {
  const bundle = readFileSync(join(umbrella.directory, browserBundleFile));
  const gzip = gzipSync(bundle, { level: 9 }).length;
  const ok = gzip <= UMBRELLA_KIB * 1024;
  if (ok) passed++;
  else failed++;
  console.log(`${`@strata/nn/${browserBundleFile}`.padEnd(30)} ${kib(bundle.length).padStart(10)} ${kib(gzip).padStart(10)}  ≤ ${UMBRELLA_KIB} KB ${ok ? 'ok' : 'OVER BUDGET'}`);
}

console.log('\nevery browser entry point (export *), for reference');
for (const { manifest } of packages) {
  for (const subpath of Object.keys(manifest.exports)) {
    if (subpath === './package.json' || subpath === './node') continue;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    try {
      const size = await gzipSizeOf(`export * from '${specifier}';`);
      console.log(`${specifier.padEnd(30)} ${kib(size.bytes).padStart(10)} ${kib(size.gzip).padStart(10)}`);
    } catch (error) {
      // Only ./node entries may hold Node.js code (tooling/PACKAGING.md, "Browser-clean main entries").
      failed++;
      console.log(`${specifier.padEnd(30)} does not bundle for browsers: ${error.message.split('\n').slice(0, 3).join(' ')}`);
    }
  }
}

console.log(`size checks: ${passed} passed, ${failed} failed (budgets exceeded or entries that do not bundle for browsers)`);
writeFileSync(join(here, '.test-result.json'), JSON.stringify({ numPassedTests: passed, numFailedTests: failed }));
rmSync(project, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
