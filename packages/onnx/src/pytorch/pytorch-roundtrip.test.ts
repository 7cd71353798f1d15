/**
 * The round trip through real PyTorch (Debian's python3-torch, run with
 * /usr/bin/python3): every layer case and whole models written by
 * toPyTorch load in PyTorch and compute Strata's outputs; the benchmark CNN
 * then trains for a few steps with DistributedDataParallel (gloo) on two
 * local processes started by torchrun, and the trained weights load back
 * into Strata and compute what PyTorch computes.
 */
import { noGrad } from '@strata/autograd';
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Embedding, Flatten, GELU, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm } from '@strata/layers-norm';
import { LSTM, LSTMCell } from '@strata/layers-recurrent';
import { type Module, Sequential, loadSafetensors, saveSafetensors } from '@strata/module';
import { Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayerCase, layerCases, prepareCase, randomizeWeights } from '../layer-test-support.js';
import { cellCases, prepareRecurrentCase, recurrentCases } from '../recurrent-test-support.js';
import { PYTORCH_KEYWORDS, attentionCases, prepareAttentionCase } from '../attention-test-support.js';
import { writePyTorch } from '../node.js';
import { toPyTorch } from './to-pytorch.js';

const PYTHON = '/usr/bin/python3';
const scripts = fileURLToPath(new URL('../../python/', import.meta.url));
const torchVersion = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
const hasTorch = torchVersion.status === 0;
const [major = 0, minor = 0] = (torchVersion.stdout ?? '').split('.').map(Number);
// Debian's python3-torch is 1.13: LayerNorm's `bias` option comes with PyTorch 2.1, nn.RMSNorm with 2.4.
const atLeast = (wantMajor: number, wantMinor: number): boolean => major > wantMajor || (major === wantMajor && minor >= wantMinor);
const needsNewerTorch = (label: string): boolean =>
  (label === 'LayerNorm bias false' && !atLeast(2, 1)) || (label.startsWith('RMSNorm') && !atLeast(2, 4));
const pythonEnvironment = { ...process.env, OMP_NUM_THREADS: '1', GLOO_SOCKET_IFNAME: 'lo' };

function benchmarkCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
    new Flatten(), new Dropout(0.25), new Linear(1600, 128), new ReLU(), new Linear(128, 10),
  );
}

/** Models beyond the single layers: the benchmark CNN, an MLP, an embedding model, nested containers, norms without ONNX mappings. */
const modelCases: LayerCase[] = [
  ['the benchmark CNN', benchmarkCnn, () => randn([3, 1, 28, 28])],
  ['an MLP 784-256-256-10', () => new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 256), new ReLU(), new Linear(256, 10)), () => randn([3, 784])],
  ['an embedding model', () => new Sequential(new Embedding(100, 8), new Flatten(), new Linear(5 * 8, 16), new GELU(), new LayerNorm(16), new Linear(16, 3)), () => randint(0, 100, [3, 5])],
  ['nested Sequentials with GroupNorm and InstanceNorm2d', () => new Sequential(new Sequential(new Conv2d(2, 4, 3), new GroupNorm(2, 4)), new Sequential(new InstanceNorm2d(4, { affine: true }), new ReLU())), () => randn([2, 2, 6, 6])],
];

/**
 * A model to check in PyTorch: `inputs` are passed positionally (with `stateTuple`, the ones after the first as one
 * pair, `LSTM`'s `[h0, c0]`), then `keywordInputs` and `keywordValues` by PyTorch's keywords; `run` computes Strata's
 * result when the call differs from `model.forward(...inputs)`.
 */
interface CheckedModel {
  readonly label: string;
  readonly model: Module;
  readonly inputs: Tensor[];
  readonly stateTuple?: boolean;
  readonly keywordInputs?: Record<string, Tensor>;
  readonly keywordValues?: Record<string, boolean>;
  readonly run?: () => unknown;
}

/** Recurrent cases without an ONNX mapping (projections), checked in PyTorch only. */
const projectedLSTMCases: [label: string, build: () => Module, input: () => Tensor[]][] = [
  ['LSTM projSize 3, 2 layers, bidirectional', () => new LSTM(4, 6, { projSize: 3, numLayers: 2, bidirectional: true }), () => [randn([5, 2, 4])]],
  ['LSTM projSize 2, batchFirst, h0 and c0', () => new LSTM(4, 5, { projSize: 2, batchFirst: true }), () => [randn([2, 5, 4]), randn([1, 2, 2]), randn([1, 2, 5])]],
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function runPython(args: readonly string[], label: string): string {
  const result = spawnSync(PYTHON, args, { encoding: 'utf8', env: pythonEnvironment, timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${label} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  return result.stdout;
}

/** The workers' stderr logs under torchrun's log folder, for a failure message. */
function workerErrors(folder: string): string {
  if (!existsSync(folder)) return '';
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('stderr.log'))
    .map((path) => `${path}:\n${readFileSync(join(folder, path), 'utf8')}`)
    .join('\n');
}

function largestAbsolute(tensor: Tensor): number {
  return tensor.abs().max().item();
}

describe.skipIf(!hasTorch && process.env.CI === undefined)('toPyTorch, checked in real PyTorch', () => {
  let directory = '';
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'strata-pytorch-'));
  });
  afterAll(() => {
    if (directory !== '') rmSync(directory, { recursive: true, force: true });
  });

  /**
   * Writes each model with toPyTorch beside Strata's inputs and outputs (every tensor of the result, flattened),
   * runs check_outputs.py over them and expects each to load strictly and compute Strata's outputs.
   */
  function checkInPyTorch(models: readonly CheckedModel[], prefix: string): string {
    const manifest = models.map(({ label, model, inputs, stateTuple, keywordInputs = {}, keywordValues = {}, run }, index) => {
      model.eval();
      const saved: Record<string, Tensor> = {};
      inputs.forEach((input, i) => (saved[inputs.length === 1 ? 'input' : `input${i}`] = input.clone()));
      for (const [keyword, tensor] of Object.entries(keywordInputs)) saved[`keyword_${keyword}`] = tensor.clone();
      const forwardInputs = stateTuple === true && inputs.length > 1 ? [inputs[0]!, inputs.slice(1)] : inputs;
      const result = noGrad(() => (run === undefined ? (model.forward as (...args: unknown[]) => unknown)(...forwardInputs) : run()));
      const outputs = ([result].flat(Infinity) as unknown[]).filter((value): value is Tensor => value instanceof Tensor);
      outputs.forEach((output, i) => (saved[outputs.length === 1 ? 'output' : `output${i}`] = output));
      const name = `${prefix}-${index}`;
      const written = toPyTorch(model, { weightsFile: `${name}.safetensors` });
      writeFileSync(join(directory, `${name.replace(/-/g, '_')}.py`), written.source);
      writeFileSync(join(directory, `${name}.safetensors`), written.safetensors);
      writeFileSync(join(directory, `${name}-check.safetensors`), saveSafetensors(saved));
      return {
        label, className: written.className, source: `${name.replace(/-/g, '_')}.py`, weights: `${name}.safetensors`,
        check: `${name}-check.safetensors`, scale: Math.max(...outputs.map((output) => largestAbsolute(output))), stateTuple: stateTuple === true, keywords: keywordValues,
      };
    });
    writeFileSync(join(directory, 'cases.json'), JSON.stringify(manifest));
    const report = JSON.parse(runPython([join(scripts, 'check_outputs.py'), directory], 'check_outputs.py')) as {
      cases: { label: string; maxDifference?: number; error?: string }[];
    };
    let largest = { value: 0, label: '' };
    let largestRelative = { value: 0, label: '' };
    report.cases.forEach((result, index) => {
      expect(result.error, result.label).toBeUndefined();
      const scale = manifest[index]!.scale;
      expect(result.maxDifference!, result.label).toBeLessThanOrEqual(1e-5 + 1e-5 * scale);
      if (result.maxDifference! > largest.value) largest = { value: result.maxDifference!, label: `${result.label}, outputs up to ${scale.toFixed(1)}` };
      const relative = result.maxDifference! / Math.max(1, scale);
      if (relative > largestRelative.value) largestRelative = { value: relative, label: result.label };
    });
    expect(report.cases).toHaveLength(models.length);
    return (
      `${models.length} cases; largest |Strata − PyTorch|: ${largest.value.toExponential(2)} (${largest.label}); ` +
      `largest relative to max(1, |output|): ${largestRelative.value.toExponential(2)} (${largestRelative.label})`
    );
  }

  it('every layer case and model loads with load_state_dict and computes Strata’s outputs', () => {
    manualSeed(11);
    const cases = [...Object.values(layerCases).flat(), ...modelCases].filter(([label]) => !needsNewerTorch(label));
    console.log(checkInPyTorch(cases.map((layerCase) => ({ label: layerCase[0], ...prepareCase(layerCase) })), 'case'));
  });

  it('every recurrent layer and cell, with its options, computes Strata’s outputs and final states', () => {
    manualSeed(12);
    const models: CheckedModel[] = recurrentCases.map((recurrentCase) => {
      const { layer, inputs } = prepareRecurrentCase(recurrentCase);
      return { label: recurrentCase.label, model: layer, inputs, stateTuple: layer instanceof LSTM };
    });
    models.push(...[...projectedLSTMCases, ...cellCases].map(([label, build, input]) => {
      const layer = build();
      randomizeWeights(layer);
      const inputs = input();
      return { label, model: layer, inputs, stateTuple: layer instanceof LSTM || layer instanceof LSTMCell };
    }));
    console.log(`recurrent: ${checkInPyTorch(models, 'recurrent')}`);
  });

  it('every attention case (MultiheadAttention, TransformerEncoderLayer, TransformerEncoder) computes Strata’s outputs', () => {
    manualSeed(13);
    const models: CheckedModel[] = attentionCases.map((attentionCase) => {
      const { layer, model, inputs, options } = prepareAttentionCase(attentionCase);
      const keywordInputs: Record<string, Tensor> = {};
      const keywordValues: Record<string, boolean> = {};
      for (const [option, value] of Object.entries(options)) {
        if (typeof value === 'boolean') keywordValues[PYTORCH_KEYWORDS[option]!] = value;
        else keywordInputs[PYTORCH_KEYWORDS[option]!] = value;
      }
      // PyTorch gets the one sequence of self-attention as three arguments.
      const positional = attentionCase.selfAttention === true ? [inputs[0]!, inputs[0]!.clone(), inputs[0]!.clone()] : inputs;
      return { label: attentionCase.label, model: layer, inputs: positional, keywordInputs, keywordValues, run: () => model.eval().forward(...inputs) };
    });
    console.log(`attention: ${checkInPyTorch(models, 'attention')}`);
  });

  it('trains in PyTorch with DistributedDataParallel on two processes, and the weights come back to Strata', async () => {
    manualSeed(5);
    const model = benchmarkCnn();
    const initial = model.getParameter('0.weight').clone();
    const files = writePyTorch(directory, model);
    expect(files).toEqual({ source: join(directory, 'net.py'), weights: join(directory, 'net.safetensors') });
    writeFileSync(join(directory, 'train.safetensors'), saveSafetensors({ inputs: randn([24, 1, 28, 28]), targets: randint(0, 10, [24]) }));
    const checkInput = randn([4, 1, 28, 28]);
    writeFileSync(join(directory, 'check.safetensors'), saveSafetensors({ input: checkInput }));

    const port = await freePort();
    const logs = join(directory, 'torchrun-logs');
    // `--tee 1 --redirects 2`: PyTorch 1.13's launcher cannot parse its own default "0" for these on Python 3.11
    // (`Std.from_str` returns None), so stdout goes to the console and stderr to the log folder.
    const launch = spawnSync(
      PYTHON,
      ['-m', 'torch.distributed.run', '--nnodes', '1', '--nproc_per_node', '2', '--master_addr', '127.0.0.1', '--master_port', String(port),
        '--tee', '1', '--redirects', '2', '--log_dir', logs, join(scripts, 'ddp_train.py'), directory],
      { encoding: 'utf8', env: pythonEnvironment, timeout: 120_000 },
    );
    if (launch.status !== 0) throw new Error(`torchrun failed (${launch.status ?? launch.signal}):\n${launch.stderr}\n${workerErrors(logs)}`);
    const reportLine = launch.stdout.split('\n').find((line) => line.startsWith('[default0]:{'));
    expect(reportLine, launch.stdout).toBeDefined();
    const report = JSON.parse(reportLine!.slice('[default0]:'.length)) as { world: number; losses: number[]; replicaDifference: number };
    expect(report.world).toBe(2);
    expect(report.losses.every((loss) => Number.isFinite(loss))).toBe(true);
    expect(report.replicaDifference).toBe(0);

    // Back in Strata: the trained weights load strictly, differ from the initial ones, and compute PyTorch's outputs.
    model.loadStateDict(loadSafetensors(readFileSync(join(directory, 'trained.safetensors'))));
    expect(model.getParameter('0.weight').sub(initial).abs().max().item()).toBeGreaterThan(1e-4);
    expect(model.getBuffer('4.num_batches_tracked').item()).toBe(3);
    model.eval();
    const output = noGrad(() => model.forward(checkInput));
    const expected = loadSafetensors(readFileSync(join(directory, 'trained-output.safetensors'))).output!;
    const difference = output.sub(expected).abs().max().item();
    console.log(`DDP losses ${report.losses.map((loss) => loss.toFixed(4)).join(', ')}; |Strata − PyTorch| after training: ${difference.toExponential(2)}`);
    expect(difference).toBeLessThanOrEqual(1e-5 + 1e-5 * largestAbsolute(expected));
  });
});
