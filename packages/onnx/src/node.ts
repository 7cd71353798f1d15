/**
 * Node.js file helpers for `@strata/onnx` (the `@strata/onnx/node` entry):
 * the main entry returns bytes and source text and works in every runtime;
 * these write them to disk.
 *
 * @packageDocumentation
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '@strata/module';
import type { Tensor } from '@strata/tensor';
import { type ExportOnnxOptions, exportOnnx } from './export-onnx.js';
import { type ToPyTorchOptions, toPyTorch } from './pytorch/to-pytorch.js';

/**
 * Exports a model to an `.onnx` file; see `exportOnnx`.
 *
 * @throws OnnxExportError, RangeError as `exportOnnx` does.
 * @example
 * ```ts
 * import { exportOnnxFile } from '@strata/onnx/node';
 * exportOnnxFile('cnn.onnx', model, randn([1, 1, 28, 28]), { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } });
 * ```
 */
export function exportOnnxFile(path: string, model: Module, exampleInputs: Tensor | readonly Tensor[], options: ExportOnnxOptions = {}): void {
  writeFileSync(path, exportOnnx(model, exampleInputs, options));
}

/** The files {@link writePyTorch} wrote. */
export interface PyTorchFiles {
  /** The Python module, `<directory>/<file stem>.py`. */
  readonly source: string;
  /** The weights, `<directory>/<weightsFile>`. */
  readonly weights: string;
}

/**
 * Writes a model as a `torch.nn` module into `directory` (created if
 * needed): `net.py` and, beside it, `net.safetensors` (the names follow
 * `className` and `weightsFile`); see `toPyTorch`.
 *
 * @param moduleFile - the Python file's name.
 * @throws PyTorchExportError as `toPyTorch` does.
 * @example
 * ```ts
 * import { writePyTorch } from '@strata/onnx/node';
 * writePyTorch('exported', model); // exported/net.py, exported/net.safetensors
 * ```
 */
export function writePyTorch(directory: string, model: Module, options: ToPyTorchOptions = {}, moduleFile = 'net.py'): PyTorchFiles {
  const weightsFile = options.weightsFile ?? 'net.safetensors';
  const written = toPyTorch(model, { ...options, weightsFile });
  mkdirSync(directory, { recursive: true });
  const files = { source: join(directory, moduleFile), weights: join(directory, weightsFile) };
  writeFileSync(files.source, written.source);
  writeFileSync(files.weights, written.safetensors);
  return files;
}
