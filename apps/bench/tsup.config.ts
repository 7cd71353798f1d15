import { defineConfig } from 'tsup';

export default defineConfig([
  /** One runnable ESM file for Node 20; workspace and npm packages stay imports (the wasm binaries sit beside TF.js). */
  {
    entry: ['src/main.ts'],
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // Its own files only: the page's build (below) runs alongside and owns dist/browser/.
    clean: ['*.js', '*.js.map'],
    skipNodeModulesBundle: true,
    // TF.js's gradient registrations (see src/peers/tfjs.ts), and the CNN of the Fashion-MNIST example (TypeScript
    // source): bundled, since Node cannot load either file as it is.
    noExternal: [/register_all_gradients/, /@strata\/examples-fashion-mnist/],
  },
  /** The browser page's script (src/browser/page.ts) with the built Strata packages bundled in: what src/peers/browser.ts serves. */
  {
    entry: { page: 'src/browser/page.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    clean: true,
    noExternal: [/.*/],
  },
]);
