#!/usr/bin/env node
/**
 * Assembles src/kernels/wasm/conv.wat with wabt (SIMD on) and writes the bytes,
 * base64, into src/kernels/wasm/conv-wasm.generated.ts. The generated file is
 * committed, so building, testing and running the package needs no wasm
 * tooling; a test checks that it still matches the .wat.
 *
 * Usage: node scripts/build-wasm.mjs (from packages/layers-conv, after editing the .wat)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import createWabt from 'wabt';
import { assembleWat, generatedModuleText } from '../../../tooling/wasm/assemble.mjs';

const wasmFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'kernels', 'wasm');
/** The hand-written module. */
export const watPath = join(wasmFolder, 'conv.wat');
/** The committed output. */
export const generatedPath = join(wasmFolder, 'conv-wasm.generated.ts');

/** The text of the generated TypeScript file for the current .wat. */
export async function generateConvModule() {
  const bytes = assembleWat(await createWabt(), 'conv.wat', readFileSync(watPath, 'utf8'), { simd: true });
  return generatedModuleText({
    watName: 'conv.wat',
    constant: 'CONV_WASM_BASE64',
    description: 'The float32 SIMD convolution forward module (conv.wat), assembled by wabt, as base64.',
    bytes,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(generatedPath, await generateConvModule());
  console.log(`wrote ${generatedPath}`);
}
