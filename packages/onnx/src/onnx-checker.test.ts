/**
 * Every layer case and the whole models, exported and checked by the ONNX
 * project's own checker (Debian's python3-onnx 1.12, the release of opset
 * 17): `check_model` with `full_check`, and strict shape inference giving
 * the output shapes Strata computed, dynamic batch included.
 */
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Embedding, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { type Module, Sequential } from '@strata/module';
import { Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportOnnxFile } from './node.js';
import { layerCases, prepareCase } from './layer-test-support.js';
import { cellCases, prepareCellCase, prepareRecurrentCase, recurrentCases } from './recurrent-test-support.js';
import { attentionCases, prepareAttentionCase } from './attention-test-support.js';

const PYTHON = '/usr/bin/python3';
const script = fileURLToPath(new URL('../python/check_onnx.py', import.meta.url));
const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

/** Runs check_onnx.py over the manifest's files and expects every one to pass; returns how many were checked and onnx's version. */
function checkAll(directory: string, manifest: readonly { label: string; file: string; outputs: unknown[] }[]): { count: number; onnx: string } {
  writeFileSync(join(directory, 'models.json'), JSON.stringify(manifest));
  const result = spawnSync(PYTHON, [script, directory], { encoding: 'utf8', timeout: 120_000 });
  expect(result.status, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as { models: { label: string; error?: string }[]; onnx: string };
  expect(report.models).toHaveLength(manifest.length);
  expect(report.models.filter((model) => model.error !== undefined)).toEqual([]);
  return { count: report.models.length, onnx: report.onnx };
}

describe.skipIf(!hasOnnx && process.env.CI === undefined)('exported files pass the ONNX checker', () => {
  it('every layer case, the benchmark CNN and an embedding model, with a dynamic batch', () => {
    manualSeed(2);
    const directory = mkdtempSync(join(tmpdir(), 'strata-onnx-check-'));
    try {
      const models: { label: string; model: Module; inputs: Tensor[] }[] = Object.values(layerCases)
        .flat()
        .map((layerCase) => ({ label: layerCase[0], ...prepareCase(layerCase) }));
      models.push(
        {
          label: 'the benchmark CNN',
          model: new Sequential(
            new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2), new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
          ),
          inputs: [randn([2, 1, 28, 28])],
        },
        { label: 'an embedding model', model: new Sequential(new Embedding(50, 4), new Flatten(), new Linear(24, 3)), inputs: [randint(0, 50, [2, 6])] },
      );
      const manifest = models.map(({ label, model, inputs }, index) => {
        const file = `model-${index}.onnx`;
        const output = noGrad(() => model.eval().forward(...inputs.map((input) => input.clone())) as Tensor);
        // The first dimension is a free batch (not for unbatched inputs, whose first dimension is the channels), unless
        // the model flattens it away (Flatten(0, -1)): then ONNX names the output's first dimension itself (null).
        const batched = !label.includes('unbatched');
        const keepsBatch = batched && output.shape[0] === inputs[0]!.shape[0];
        const dynamicAxes: Record<string, Record<number, string>> = {};
        if (batched) inputs.forEach((_, i) => (dynamicAxes[inputs.length === 1 ? 'input' : `input${i}`] = { 0: 'batch' }));
        if (keepsBatch) dynamicAxes.output = { 0: 'batch' };
        exportOnnxFile(join(directory, file), model, inputs, { dynamicAxes });
        return { label, file, outputs: [output.shape.map((size, dim) => (dim === 0 && batched ? (keepsBatch ? 'batch' : null) : size))] };
      });
      const report = checkAll(directory, manifest);
      console.log(`${report.count} exported models pass onnx ${report.onnx}'s checker (full_check, strict shape inference)`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('every recurrent and attention case: each output (sequence, final states, attention weights) has the shape Strata computed', () => {
    manualSeed(4);
    const directory = mkdtempSync(join(tmpdir(), 'strata-onnx-check-'));
    try {
      const models = [
        ...recurrentCases.map((recurrentCase) => ({ label: recurrentCase.label, ...prepareRecurrentCase(recurrentCase) })),
        ...cellCases.map((cellCase) => ({ label: cellCase[0], ...prepareCellCase(cellCase) })),
        ...attentionCases.map((attentionCase) => ({ label: attentionCase.label, ...prepareAttentionCase(attentionCase) })),
      ];
      const manifest = models.map(({ label, model, inputs }, index) => {
        const file = `sequence-${index}.onnx`;
        const result = noGrad(() => (model.eval().forward as (...args: unknown[]) => unknown)(...inputs));
        const outputs = ([result].flat(Infinity) as unknown[]).filter((value): value is Tensor => value instanceof Tensor);
        exportOnnxFile(join(directory, file), model, inputs);
        return { label, file, outputs: outputs.map((output) => [...output.shape]) };
      });
      const report = checkAll(directory, manifest);
      console.log(`${report.count} exported recurrent and attention layers pass onnx ${report.onnx}'s checker`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
