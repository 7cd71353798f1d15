import { defineConfig } from 'tsup';

/** One runnable ESM file for Node 20; workspace and npm packages stay imports (the wasm binaries sit beside TF.js). */
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  skipNodeModulesBundle: true,
  // TF.js's gradient registrations (see src/peers/tfjs.ts): bundled, since Node cannot load that ESM file.
  noExternal: [/register_all_gradients/],
});
