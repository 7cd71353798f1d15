/**
 * Bundles `entry.mjs` of a folder for the browser with webpack 5, Vite,
 * esbuild or Rollup, each with its plain production settings (no polyfill,
 * fallback or shim), and collects every warning. The bundlers are the
 * workspace's devDependencies; they resolve @strata packages from the
 * consumer project's node_modules, as they would in a user's project.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { build as viteBuild, createLogger } from 'vite';
import webpack from 'webpack';

/** The bundlers, in the order reports list them. */
export const bundlerNames = ['webpack 5', 'Vite', 'esbuild', 'Rollup'];

/**
 * Bundles `folder/entry.mjs` into `outDirectory`.
 * @returns the bundle's path and the bundler's warnings (as text).
 */
export async function bundleWith(bundler, folder, outDirectory) {
  mkdirSync(outDirectory, { recursive: true });
  const entry = join(folder, 'entry.mjs');
  switch (bundler) {
    case 'webpack 5':
      return bundleWebpack(folder, outDirectory);
    case 'Vite':
      return bundleVite(folder, outDirectory);
    case 'esbuild': {
      const outfile = join(outDirectory, 'bundle.mjs');
      const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', minify: true, outfile, logLevel: 'silent' });
      return { file: outfile, warnings: result.warnings.map((warning) => warning.text) };
    }
    case 'Rollup': {
      const warnings = [];
      const bundle = await rollup({ input: entry, plugins: [nodeResolve({ browser: true })], onwarn: (warning) => warnings.push(warning.message) });
      const { output } = await bundle.generate({ format: 'es' });
      await bundle.close();
      // node-resolve leaves Node built-ins (node:fs, ...) external without a word; a browser bundle must have no externals.
      for (const external of [...output[0].imports, ...output[0].dynamicImports]) warnings.push(`left external (not bundled): ${external}`);
      // Rollup does not minify by itself (that is a plugin's job); minify with esbuild so the sizes compare.
      const minified = await esbuild.transform(output[0].code, { minify: true, format: 'esm', target: 'es2022' });
      const file = join(outDirectory, 'bundle.mjs');
      writeFileSync(file, minified.code);
      return { file, warnings };
    }
    default:
      throw new Error(`unknown bundler ${bundler}`);
  }
}

function bundleWebpack(folder, outDirectory) {
  return new Promise((resolve, reject) => {
    webpack(
      {
        mode: 'production',
        target: 'web',
        context: folder,
        entry: './entry.mjs',
        output: { path: outDirectory, filename: 'bundle.mjs', module: true },
        experiments: { outputModule: true },
      },
      (error, stats) => {
        if (error) return reject(error);
        const info = stats.toJson({ all: false, warnings: true, errors: true });
        if (stats.hasErrors()) return reject(new Error(info.errors.map((entry) => entry.message).join('\n')));
        resolve({ file: join(outDirectory, 'bundle.mjs'), warnings: info.warnings.map((entry) => entry.message) });
      },
    );
  });
}

async function bundleVite(folder, outDirectory) {
  const warnings = [];
  const logger = createLogger('warn', { allowClearScreen: false });
  logger.warn = (message) => warnings.push(message);
  logger.warnOnce = (message) => warnings.push(message);
  logger.error = (message) => warnings.push(message);
  logger.info = () => {};
  await viteBuild({
    root: folder,
    configFile: false,
    logLevel: 'warn',
    customLogger: logger,
    build: { outDir: outDirectory, emptyOutDir: true, modulePreload: { polyfill: false }, reportCompressedSize: false },
  });
  const assets = join(outDirectory, 'assets');
  const script = readdirSync(assets).find((file) => file.endsWith('.js'));
  const file = join(outDirectory, 'bundle.mjs');
  writeFileSync(file, readFileSync(join(assets, script)));
  return { file, warnings };
}
