/**
 * Node.js file helpers for `@strata/module` (the `@strata/module/node`
 * entry): safetensors files on disk. The main entry works in every runtime
 * on bytes; this one adds `node:fs`.
 *
 * @packageDocumentation
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Tensor } from '@strata/tensor';
import { type SaveSafetensorsOptions, loadSafetensors, saveSafetensors } from './safetensors.js';

/**
 * Writes tensors (a state dict) to a safetensors file; see `saveSafetensors`.
 *
 * @example
 * ```ts
 * import { saveSafetensorsFile } from '@strata/module/node';
 * saveSafetensorsFile('model.safetensors', model.stateDict());
 * ```
 */
export function saveSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> | null = null,
  options: SaveSafetensorsOptions = {},
): void {
  writeFileSync(path, saveSafetensors(tensors, metadata, options));
}

/**
 * Reads the tensors of a safetensors file; see `loadSafetensors`.
 *
 * @example
 * ```ts
 * import { loadSafetensorsFile } from '@strata/module/node';
 * model.loadStateDict(loadSafetensorsFile('model.safetensors'));
 * ```
 */
export function loadSafetensorsFile(path: string): Record<string, Tensor> {
  return loadSafetensors(readFileSync(path));
}
