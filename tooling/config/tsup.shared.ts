import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * The one tsup build every package uses (see tooling/PACKAGING.md).
 *
 * - Entry points come from the package's own `exports` map: subpath
 *   `./<name>` is built from `src/<name>.ts` (`.` from `src/index.ts`). A
 *   new subpath in package.json is a new entry; nothing to edit here.
 * - All entries are built in one esbuild run per format with code splitting
 *   on for CommonJS too, so `index.cjs` and `backend.cjs` share their modules
 *   through a chunk: one `Tensor` class and one kernel registry per format.
 * - Declarations: `.d.ts` for the ESM files and `.d.cts` for the CommonJS
 *   ones, each next to its JavaScript, as `exports` points at them.
 * - Source maps without `sourcesContent`: stack traces and debuggers still
 *   map to `src/<file>.ts:line`, but the maps stay a fraction of the install
 *   (the code itself is unminified and readable).
 *
 * @param packageDirectory the package folder (default: the working directory, where `pnpm build` runs tsup).
 * @param extra options merged over the shared ones (rarely needed).
 */
export function packageBuild(packageDirectory: string | readonly string[] = process.cwd(), extra: Options = {}): Options {
  // An entry list (the former signature) is ignored: the exports map is the one list of entries.
  if (typeof packageDirectory !== 'string') packageDirectory = process.cwd();
  const manifest = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8')) as PackageManifest;
  const entry = entriesOf(manifest);
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    // With treeshake on, tsup turns the split ESM into CommonJS chunks with Rollup
    // (otherwise with sucrase, which rewrites every `??` and `?.` into helper calls).
    treeshake: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    outDir: 'dist',
    esbuildOptions(options, context) {
      options.sourcesContent = false;
      options.define = {
        ...options.define,
        __STRATA_PACKAGE_VERSION__: JSON.stringify(manifest.version),
        __STRATA_MODULE_FORMAT__: JSON.stringify(context.format === 'cjs' ? 'CommonJS' : 'ESM'),
      };
    },
    ...extra,
  };
}

interface PackageManifest {
  name: string;
  version: string;
  exports?: Record<string, unknown>;
}

/**
 * `{ index: 'src/index.ts', backend: 'src/backend.ts' }` from the `exports`
 * keys (`.` is `index`, `./backend` is `backend`); the targets' shape is
 * checked by `pnpm check:packages`, not here, so a new subpath builds at once.
 */
export function entriesOf(manifest: PackageManifest): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const subpath of Object.keys(manifest.exports ?? {})) {
    if (subpath === './package.json') continue;
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    if (!/^[\w-]+$/.test(name)) throw new Error(`${manifest.name}: exports["${subpath}"]: an entry point is "." or "./<name>" (see tooling/PACKAGING.md)`);
    entries[name] = `src/${name}.ts`;
  }
  if (Object.keys(entries).length === 0) throw new Error(`${manifest.name}: the exports map has no entry point`);
  return entries;
}
