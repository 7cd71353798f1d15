#!/usr/bin/env node
/**
 * Keeps the umbrella package in step with the workspace, so no package list
 * is kept by hand: every public `@strata/*` package under packages/ becomes
 * a `workspace:^` dependency of the umbrella and one `export *` line of its
 * src/index.ts (between the two marker comments), packages below before the
 * packages above them.
 *
 * Usage: `node packages/strata/scripts/sync-packages.mjs` rewrites both files;
 * `--check` only reports whether they are up to date (exit 1 when not). The
 * layer-package generator runs it; the umbrella's tests run the check.
 *
 * A package stays out with `"strata": { "umbrella": false }` in its
 * package.json: `@strata/onnx`, a tool with a protobuf dependency that a
 * model's code never needs, is installed on its own.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const umbrellaDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDirectory = join(umbrellaDirectory, '..');
const BEGIN = '// ---- every @strata package (written by scripts/sync-packages.mjs; do not edit by hand) ----';
const END = '// ---- end of the packages ----';

/** The public @strata packages of the workspace, each after the @strata packages it depends on. */
export function discoverPackages() {
  const umbrellaName = JSON.parse(readFileSync(join(umbrellaDirectory, 'package.json'), 'utf8')).name;
  const manifests = new Map();
  for (const folder of readdirSync(packagesDirectory).sort()) {
    const path = join(packagesDirectory, folder, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    if (manifest.private === true || manifest.name === umbrellaName || !manifest.name.startsWith('@strata/')) continue;
    if (manifest.strata?.umbrella === false) continue;
    manifests.set(manifest.name, manifest);
  }
  const ordered = [];
  const visit = (name) => {
    if (ordered.includes(name)) return;
    for (const dependency of Object.keys(manifests.get(name).dependencies ?? {})) {
      if (manifests.has(dependency)) visit(dependency);
    }
    ordered.push(name);
  };
  for (const name of manifests.keys()) visit(name);
  return ordered;
}

/** The umbrella's package.json and src/index.ts as they should be. */
export function expectedFiles() {
  const names = discoverPackages();
  const manifestPath = join(umbrellaDirectory, 'package.json');
  const manifestText = readFileSync(manifestPath, 'utf8');
  // Only the dependencies block is rewritten, so the rest of the file keeps its layout.
  const dependencies = /\n( *)"dependencies": \{[^}]*\}/.exec(manifestText);
  if (dependencies === null) throw new Error(`${manifestPath}: no "dependencies" block`);
  const indent = dependencies[1];
  const entries = [...names].sort().map((name) => `${indent}  ${JSON.stringify(name)}: "workspace:^"`);
  const block = `\n${indent}"dependencies": {\n${entries.join(',\n')}\n${indent}}`;
  const manifest = manifestText.replace(dependencies[0], block);
  const indexPath = join(umbrellaDirectory, 'src', 'index.ts');
  const index = readFileSync(indexPath, 'utf8');
  const begin = index.indexOf(BEGIN);
  const end = index.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${indexPath}: the marker comments are missing`);
  const exportLines = names.map((name) => `export * from '${name}';`).join('\n');
  return {
    [manifestPath]: manifest,
    [indexPath]: `${index.slice(0, begin)}${BEGIN}\n${exportLines}\n${index.slice(end)}`,
  };
}

/** The files that differ from what they should be. */
export function staleFiles() {
  return Object.entries(expectedFiles())
    .filter(([path, text]) => readFileSync(path, 'utf8') !== text)
    .map(([path]) => path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    if (stale.length > 0) {
      console.error(`out of date (run node packages/strata/scripts/sync-packages.mjs): ${stale.join(', ')}`);
      process.exit(1);
    }
  } else {
    for (const [path, text] of Object.entries(expectedFiles())) writeFileSync(path, text);
  }
}
