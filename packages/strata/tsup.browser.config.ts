import { defineConfig } from 'tsup';

// The browser bundle of the umbrella: every @strata package in one minified
// ES module, for <script type="module"> and CDNs (package.json's unpkg and
// jsdelivr fields point here). Built after the package build (see the build
// script) so that the package build's `clean` cannot remove it.
export default defineConfig({
  entry: { 'strata.min': 'src/index.ts' },
  format: ['esm'],
  outExtension: () => ({ js: '.js' }),
  platform: 'browser',
  target: 'es2022',
  noExternal: [/^@strata\//],
  minify: true,
  dts: false,
  sourcemap: false,
  splitting: false,
  clean: false,
  outDir: 'dist',
});
