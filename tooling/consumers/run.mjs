#!/usr/bin/env node
/**
 * Consumer tests: Strata as npm users get it. Every public package (found
 * from packages/*\/package.json) is packed with `pnpm pack` and installed
 * with npm, from the tarballs only (`--offline`: no registry needed), into
 * temporary projects outside the workspace. Then:
 *
 * - alone: each package installed on its own brings exactly its @strata
 *   dependencies (`@strata/layers-conv`: tensor, autograd, module) and loads
 *   with `import` and `require()`;
 * - runtime: an ESM and a CommonJS script train a CNN step (forward +
 *   backward), load every entry point of every package, check that entry
 *   points share one module state, and use `@strata/train/node`; a third
 *   script mixes formats and expects the two-copies error;
 * - types: `.mts`, `.cts` and `.ts` consumers type-check under
 *   `moduleResolution` node16 and bundler (with every entry point imported);
 * - bundlers: webpack 5, Vite, esbuild and Rollup bundle a browser program
 *   with no warning, and each bundle runs.
 *
 * The tools (TypeScript, the bundlers) come from the workspace's
 * devDependencies, so nothing is downloaded. Usage: `node tooling/consumers/run.mjs`
 * (packages built first). Writes tooling/consumers/.test-result.json for CI.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { publicPackages, repositoryRoot } from '../packaging/manifests.mjs';
import { formatBytes, packAll } from '../packaging/pack.mjs';
import { bundleWith, bundlerNames } from './bundlers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const workspace = mkdtempSync(join(tmpdir(), 'strata-consumers-'));
const started = performance.now();
const results = [];

/** Runs one named check, records and prints its outcome. */
async function check(group, name, body) {
  const start = performance.now();
  try {
    const detail = await body();
    results.push({ group, name, ok: true });
    console.log(`  ok   ${name}${detail ? `  ${detail}` : ''} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    results.push({ group, name, ok: false });
    console.log(`  FAIL ${name}\n${String(error.stdout ?? '')}${String(error.stderr ?? '')}${error.stack ?? error}`.replaceAll('\n', '\n       '));
  }
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
}

/** A project with the given @strata packages as dependencies; every @strata name is overridden to its tarball. */
function installProject(name, dependencies, tarballs) {
  const directory = join(workspace, name);
  const overrides = Object.fromEntries(Object.entries(tarballs).map(([packageName, path]) => [packageName, `file:${path}`]));
  const manifest = { name: `consumer-${name}`, private: true, type: 'module', dependencies: {}, overrides };
  for (const dependency of dependencies) manifest.dependencies[dependency] = overrides[dependency];
  cpSync(fixtures, directory, { recursive: true, filter: () => true });
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], directory);
  return directory;
}

/** Every @strata package under node_modules, and anything else there. */
function installedPackages(directory) {
  const found = [];
  for (const entry of readdirSync(join(directory, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const scoped of readdirSync(join(directory, 'node_modules', entry))) found.push(`${entry}/${scoped}`);
    else found.push(entry);
  }
  return found.sort();
}

function directorySize(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, entry) => sum + directorySize(join(path, entry)), 0);
}

/** The @strata packages a package needs, transitively, itself included. */
function closure(name, manifests) {
  const seen = new Set();
  const visit = (current) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const dependency of Object.keys(manifests.get(current)?.dependencies ?? {})) if (dependency.startsWith('@strata/')) visit(dependency);
  };
  visit(name);
  return [...seen].sort();
}

console.log(`consumer projects in ${workspace}`);
// --tarballs DIR: pack there (or reuse what check-published.mjs packed there with the same option).
const tarballArgument = process.argv.indexOf('--tarballs');
const packed = packAll(tarballArgument >= 0 ? process.argv[tarballArgument + 1] : join(workspace, 'tarballs'), { reuse: tarballArgument >= 0 });
const tarballs = Object.fromEntries(packed.map((entry) => [entry.name, entry.tarball]));
const manifests = new Map(publicPackages().map(({ manifest }) => [manifest.name, manifest]));

// ---- each package alone ----
console.log('each package installed alone:');
const installedSizes = new Map();
for (const { name } of packed) {
  await check('alone', `${name} alone`, () => {
    const directory = installProject(name.replace('@strata/', 'alone-'), [name], tarballs);
    // Third-party dependencies (onnx-proto and protobufjs for @strata/onnx) come from the registry; the @strata ones must be exactly the closure.
    const installed = installedPackages(directory).filter((entry) => entry.startsWith('@strata/'));
    const expected = closure(name, manifests);
    if (JSON.stringify(installed) !== JSON.stringify(expected)) throw new Error(`installed ${installed.join(', ')}; expected ${expected.join(', ')}`);
    if (name === '@strata/layers-conv' && installed.join() !== '@strata/autograd,@strata/layers-conv,@strata/module,@strata/tensor') {
      throw new Error(`@strata/layers-conv must bring exactly tensor, autograd and module, brought ${installed.join(', ')}`);
    }
    const load = `const m = await import('${name}'); const c = (await import('node:module')).createRequire(import.meta.url)('${name}'); if (Object.keys(m).length === 0 || Object.keys(c).length === 0) process.exit(1);`;
    run('node', ['--input-type=module', '-e', load], directory);
    installedSizes.set(name, directorySize(join(directory, 'node_modules', ...name.split('/'))));
    return `brings ${installed.map((entry) => entry.replace('@strata/', '')).join(', ')}; loads with import and require`;
  });
}

// ---- everything: runtime, types, bundlers ----
const all = installProject('all', packed.map((entry) => entry.name), tarballs);
const entrySpecifiers = [];
for (const manifest of manifests.values()) {
  for (const subpath of Object.keys(manifest.exports)) if (subpath !== './package.json') entrySpecifiers.push(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`);
}

console.log('runtime (forward + backward):');
await check('runtime', 'ESM script (import)', () => summarize(run('node', ['runtime/esm.mjs'], all)));
await check('runtime', 'CommonJS script (require)', () => summarize(run('node', ['runtime/cjs.cjs'], all)));
await check('runtime', 'ESM tensor into a CommonJS layer: the two-copies error', () => summarize(run('node', ['runtime/mixed.mjs'], all)));

function summarize(output) {
  const line = JSON.parse(output.trim().split('\n').pop());
  return 'before' in line ? `loss ${line.before.toFixed(4)} -> ${line.after.toFixed(4)}, ${line.entries} entry points` : 'rejected with the cause and the fix';
}

console.log('types (tsc --noEmit, skipLibCheck off):');
// Every entry point, imported from each module kind, so a new subpath is type-checked without editing anything.
writeFileSync(join(all, 'types', 'entries.generated.mts'), `${entrySpecifiers.map((specifier, i) => `import * as entry${i} from '${specifier}';`).join('\n')}\nexport { ${entrySpecifiers.map((_, i) => `entry${i}`).join(', ')} };\n`);
writeFileSync(join(all, 'types', 'entries.generated.cts'), `${entrySpecifiers.map((specifier, i) => `import entry${i} = require('${specifier}');`).join('\n')}\nexport = [${entrySpecifiers.map((_, i) => `entry${i}`).join(', ')}];\n`);
const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const typeFiles = { mts: ['consumer.mts', 'entries.generated.mts'], cts: ['consumer.cts', 'entries.generated.cts'], ts: ['consumer.ts'] };
const resolutions = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'preserve', moduleResolution: 'bundler' },
};
for (const [resolution, options] of Object.entries(resolutions)) {
  // One compiler run per resolution for all three module kinds (faster); its errors are told apart by file.
  const config = `tsconfig.${resolution}.json`;
  const compilerOptions = { ...options, target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: false, types: [] };
  writeFileSync(join(all, 'types', config), JSON.stringify({ compilerOptions, files: Object.values(typeFiles).flat() }, null, 2));
  let output = '';
  const compileStart = performance.now();
  try {
    run('node', [tsc, '-p', config, '--pretty', 'false'], join(all, 'types'));
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error);
  }
  const compileSeconds = ((performance.now() - compileStart) / 1000).toFixed(1);
  const errorLines = output.split('\n').filter((line) => line.trim() !== '');
  for (const [kind, files] of Object.entries(typeFiles)) {
    await check('types', `.${kind} under ${resolution}`, () => {
      const mine = errorLines.filter((line) => files.some((file) => line.startsWith(file)));
      const unattributed = errorLines.filter((line) => !Object.values(typeFiles).flat().some((file) => line.startsWith(file)) && !line.startsWith(' '));
      if (mine.length > 0 || unattributed.length > 0) throw new Error([...mine, ...unattributed].join('\n'));
      return `${files.join(', ')} (one tsc run for the three kinds: ${compileSeconds} s)`;
    });
  }
}

console.log('bundlers (browser entry, no warnings allowed):');
const bundleSizes = [];
for (const bundler of bundlerNames) {
  await check('bundlers', bundler, async () => {
    const { file, warnings } = await bundleWith(bundler, join(all, 'browser'), join(all, 'out', bundler));
    if (warnings.length > 0) throw new Error(`${warnings.length} warnings:\n${warnings.join('\n')}`);
    const output = JSON.parse(run('node', [file], all).trim());
    if (!(output.last < output.first)) throw new Error(`the bundled program did not learn: ${JSON.stringify(output)}`);
    const code = readFileSync(file);
    bundleSizes.push({ bundler, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length });
    return `${formatBytes(code.length)}, ${formatBytes(gzipSync(code, { level: 9 }).length)} gzip; runs, loss ${output.first.toFixed(3)} -> ${output.last.toFixed(3)}`;
  });
}

// ---- report ----
console.log('\npackage               packed  installed');
for (const entry of packed) console.log(`${entry.name.padEnd(21)} ${formatBytes(entry.packedBytes).padStart(8)} ${formatBytes(installedSizes.get(entry.name) ?? 0).padStart(10)}`);
console.log('\nmatrix:');
for (const group of ['alone', 'runtime', 'types', 'bundlers']) {
  const inGroup = results.filter((result) => result.group === group);
  console.log(`  ${group.padEnd(9)} ${inGroup.map((result) => `${result.ok ? 'ok' : 'FAIL'} ${result.name}`).join(' | ')}`);
}
const passed = results.filter((result) => result.ok).length;
const failed = results.length - passed;
console.log(`consumer tests: ${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
writeFileSync(join(here, '.test-result.json'), JSON.stringify({ numPassedTests: passed, numFailedTests: failed, bundleSizes }));
if (failed === 0 && !process.argv.includes('--keep')) rmSync(workspace, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
