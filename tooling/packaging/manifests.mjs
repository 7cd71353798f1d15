#!/usr/bin/env node
/**
 * The package.json conventions of every public package, in one place (see
 * tooling/PACKAGING.md): the exports map, the fields derived from it, and the
 * release fields. Everything is derived from the package's `exports` subpaths
 * and the root package.json's `repository` and `homepage`, so a new package or
 * a new subpath only needs its `exports` key and `src/<name>.ts`.
 *
 * Usage:
 *   node tooling/packaging/manifests.mjs          rewrite every public package.json to the conventions
 *   node tooling/packaging/manifests.mjs --check  report differences, exit 1 if any
 *
 * Also a module: `publicPackages()` lists the packages every packaging check
 * (publint/attw, consumer tests, size report) walks.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Keywords every package carries (plus its own). */
const sharedKeywords = ['strata', 'deep-learning', 'neural-network', 'pytorch', 'typescript'];

/** The file name of the umbrella's browser bundle (built by its tsup config). */
export const browserBundleFile = 'dist/strata.min.js';

/** Every package under packages/ that is published (not `private`), with its folder and manifest. */
export function publicPackages() {
  const packagesDirectory = join(repositoryRoot, 'packages');
  const found = [];
  for (const folder of readdirSync(packagesDirectory).sort()) {
    const manifestPath = join(packagesDirectory, folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    found.push({ folder, directory: join(packagesDirectory, folder), manifestPath, manifest });
  }
  return found;
}

/** The entry names of a package: `.` is `index`, `./backend` is `backend`. */
export function entryNames(manifest) {
  return Object.keys(manifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? 'index' : subpath.slice(2)));
}

/** The exports-map value of one entry: nested import/require, each with its own declarations. */
export function exportTarget(name) {
  return {
    import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
  };
}

/** The manifest as the conventions want it (fields not covered keep their value and order). */
export function conventionalManifest(manifest, folder, root) {
  const names = entryNames(manifest);
  const exportsMap = {};
  for (const name of names) exportsMap[name === 'index' ? '.' : `./${name}`] = exportTarget(name);
  exportsMap['./package.json'] = './package.json';
  const subpathNames = names.filter((name) => name !== 'index');
  const keywords = [...new Set([...sharedKeywords, ...(manifest.keywords ?? [])])];
  const derived = {
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.cts',
    // For TypeScript's legacy `moduleResolution: node10`, which ignores `exports`.
    ...(subpathNames.length > 0 ? { typesVersions: { '*': Object.fromEntries(subpathNames.map((name) => [name, [`./dist/${name}.d.cts`]])) } } : {}),
    exports: exportsMap,
    ...(manifest.name === '@strata/nn' ? { unpkg: `./${browserBundleFile}`, jsdelivr: `./${browserBundleFile}` } : {}),
    files: ['dist', 'README.md', 'CHANGELOG.md'],
    keywords,
    homepage: root.homepage,
    repository: { type: 'git', url: root.repository.url, directory: `packages/${folder}` },
    engines: { node: '>=20' },
    publishConfig: { access: 'public' },
  };
  const order = ['name', 'version', 'description', 'keywords', 'homepage', 'repository', 'license', 'type', 'sideEffects', 'engines'];
  const result = {};
  for (const key of order) if (key in derived || key in manifest) result[key] = derived[key] ?? manifest[key];
  for (const [key, value] of Object.entries(derived)) if (!(key in result)) result[key] = value;
  for (const [key, value] of Object.entries(manifest)) {
    if (!(key in result) && !['typesVersions', 'unpkg', 'jsdelivr'].includes(key)) result[key] = value;
  }
  return result;
}

/** The fields where a manifest differs from the conventions. */
export function manifestProblems(manifest, folder, root) {
  const wanted = conventionalManifest(manifest, folder, root);
  const problems = [];
  for (const key of new Set([...Object.keys(wanted), ...Object.keys(manifest)])) {
    if (JSON.stringify(wanted[key]) !== JSON.stringify(manifest[key])) {
      problems.push(`package.json: "${key}" should be ${JSON.stringify(wanted[key])} (run node tooling/packaging/manifests.mjs)`);
    }
  }
  if (typeof manifest.description !== 'string' || manifest.description === '') problems.push('package.json: no "description"');
  return problems;
}

function main() {
  const root = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));
  const check = process.argv.includes('--check');
  let problemCount = 0;
  for (const { folder, manifestPath, manifest } of publicPackages()) {
    if (check) {
      for (const problem of manifestProblems(manifest, folder, root)) {
        console.error(`${manifest.name}: ${problem}`);
        problemCount++;
      }
    } else {
      writeFileSync(manifestPath, `${JSON.stringify(conventionalManifest(manifest, folder, root), null, 2)}\n`);
    }
  }
  if (check) console.log(problemCount === 0 ? 'every package.json follows the conventions' : `${problemCount} problems`);
  process.exit(problemCount === 0 ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
