/**
 * Test support: runs an exported model in ONNX Runtime (onnxruntime-node)
 * and compares its outputs with Strata's own forward pass. Not exported by
 * the package.
 */
import { noGrad } from '@strata/autograd';
import type { Module } from '@strata/module';
import { Tensor } from '@strata/tensor';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { type ExportOnnxOptions, exportOnnx } from './export-onnx.js';

/** The largest |Strata − ONNX Runtime| seen so far, and where (with the largest |output| of that case). */
export const largestDifference = { value: 0, where: '' };

function toRuntimeTensor(tensor: Tensor): ort.Tensor {
  const data = tensor.toTypedArray();
  const dims = [...tensor.shape];
  if (tensor.dtype === 'int32') return new ort.Tensor('int32', data as Int32Array, dims);
  if (tensor.dtype === 'float64') return new ort.Tensor('float64', data as Float64Array, dims);
  return new ort.Tensor('float32', data as Float32Array, dims);
}

/** Runs `bytes` in ONNX Runtime on `inputs` (named `input`, `input0`, ... unless given) and returns the outputs in order. */
export async function runInRuntime(bytes: Uint8Array, inputs: readonly Tensor[], inputNames?: readonly string[]): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(bytes);
  const names = inputNames ?? session.inputNames;
  const feeds: Record<string, ort.Tensor> = {};
  inputs.forEach((input, i) => {
    feeds[names[i]!] = toRuntimeTensor(input);
  });
  const results = await session.run(feeds);
  return session.outputNames.map((name) => results[name]!);
}

/** Options of {@link expectRuntimeMatch}. */
export interface RuntimeMatchOptions {
  /** Export options. */
  exportOptions?: ExportOnnxOptions;
  /** Inputs to run after exporting (other batch sizes); the example inputs by default. */
  runInputs?: readonly Tensor[];
  /** Absolute tolerance on top of `1e-5 ·` the largest |output|. */
  tolerance?: number;
}

/**
 * Exports `model` with `inputs` as the example, runs the file in ONNX
 * Runtime on `runInputs` (or the example) and expects every output to equal
 * Strata's evaluation-mode forward pass within float32 tolerance.
 */
export async function expectRuntimeMatch(label: string, model: Module, inputs: readonly Tensor[], options: RuntimeMatchOptions = {}): Promise<number> {
  const bytes = exportOnnx(model, inputs, options.exportOptions);
  const runInputs = options.runInputs ?? inputs;
  const outputs = await runInRuntime(bytes, runInputs, options.exportOptions?.inputNames);
  model.eval();
  const result: unknown = noGrad(() => model.forward(...runInputs));
  // Nested results (an LSTM's [output, [hN, cN]]) flattened in order, without the nulls (attention without weights), as the exporter does.
  const expected = ([result].flat(Infinity) as unknown[]).filter((value): value is Tensor => value instanceof Tensor);
  expect(outputs.length).toBe(expected.length);
  let largest = 0;
  let largestOutput = 0;
  expected.forEach((tensor, i) => {
    const actual = outputs[i]!;
    expect([...actual.dims], `${label}: output ${i} shape`).toEqual([...tensor.shape]);
    const want = tensor.toTypedArray();
    const got = actual.data as ArrayLike<number>;
    let scale = 0;
    for (let j = 0; j < want.length; j++) scale = Math.max(scale, Math.abs(Number(want[j])));
    largestOutput = Math.max(largestOutput, scale);
    for (let j = 0; j < want.length; j++) largest = Math.max(largest, Math.abs(Number(want[j]) - Number(got[j])));
    expect(largest, `${label}: largest difference`).toBeLessThanOrEqual((options.tolerance ?? 1e-5) + 1e-5 * scale);
  });
  if (largest > largestDifference.value) {
    largestDifference.value = largest;
    largestDifference.where = `${label}, outputs up to ${largestOutput.toFixed(1)}`;
  }
  return largest;
}
