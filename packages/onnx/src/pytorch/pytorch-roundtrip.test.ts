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
import { Sequential, loadSafetensors, saveSafetensors } from '@strata/module';
import { type Tensor, manualSeed, randint, randn } from '@strata/tensor';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayerCase, layerCases, prepareCase } from '../layer-test-support.js';
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

  it('every layer case and model loads with load_state_dict and computes Strata’s outputs', () => {
    manualSeed(11);
    const cases = [...Object.values(layerCases).flat(), ...modelCases].filter(([label]) => !needsNewerTorch(label));
    const manifest = cases.map((layerCase, index) => {
      const { model, inputs } = prepareCase(layerCase);
      model.eval();
      const saved: Record<string, Tensor> = {};
      inputs.forEach((input, i) => (saved[inputs.length === 1 ? 'input' : `input${i}`] = input.clone()));
      const output = noGrad(() => model.forward(...inputs) as Tensor);
      const written = toPyTorch(model, { weightsFile: `case-${index}.safetensors` });
      writeFileSync(join(directory, `case_${index}.py`), written.source);
      writeFileSync(join(directory, `case-${index}.safetensors`), written.safetensors);
      writeFileSync(join(directory, `case-${index}-check.safetensors`), saveSafetensors({ ...saved, output }));
      return {
        label: layerCase[0], className: written.className, source: `case_${index}.py`, weights: `case-${index}.safetensors`,
        check: `case-${index}-check.safetensors`, scale: largestAbsolute(output),
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
    expect(report.cases).toHaveLength(cases.length);
    console.log(
      `${cases.length} cases; largest |Strata − PyTorch|: ${largest.value.toExponential(2)} (${largest.label}); ` +
        `largest relative to max(1, |output|): ${largestRelative.value.toExponential(2)} (${largestRelative.label})`,
    );
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
