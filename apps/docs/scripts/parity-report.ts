/**
 * The parity report: replays the PyTorch fixtures that the layer packages'
 * tests use (packages/<layer package>/src/__fixtures__/*.json, written by
 * tooling/parity/generate.py from real PyTorch) with the built packages, and
 * measures how far Strata's forward results and gradients are from
 * PyTorch's. Run as `node parity-report.mjs <packages folder>`; prints the report as JSON on stdout; scripts/generate.mjs
 * turns it into the parity page. Bundled by esbuild at build time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '@strata/autograd';
import * as conv from '@strata/layers-conv';
import * as misc from '@strata/layers-misc';
import * as norm from '@strata/layers-norm';
import * as losses from '@strata/losses';
import * as tensor from '@strata/tensor';
import type { EncodedTensor, ParityCase, ParityFixture } from '../../../tooling/parity/ts/fixtures.js';
import { decodeNumber } from '../../../tooling/parity/ts/fixtures.js';
import { type ParityTensor, buildInput, buildTensor, floatOutputs, resolveArgs, runCase, thrownBy } from '../../../tooling/parity/ts/harness.js';

/** The layer packages whose fixtures the report replays, with their exports. */
const PACKAGES: Record<string, { name: string; exports: object }> = {
  'layers-conv': { name: '@strata/layers-conv', exports: conv },
  'layers-misc': { name: '@strata/layers-misc', exports: misc },
  'layers-norm': { name: '@strata/layers-norm', exports: norm },
  losses: { name: '@strata/losses', exports: losses },
};

/** One row of the functional table. */
export interface OpRow {
  package: string;
  op: string;
  classes: string[];
  cases: number;
  errorCases: number;
  errorCasesThrown: number;
  options: string[];
  maxForwardError: number;
  maxGradientError: number;
  /** The worst element over forward and gradients, as a fraction of the tests' tolerance `atol + rtol·|expected|` (≤ 1 passes). */
  worstToleranceFraction: number;
  gradientCases: number;
  failures: string[];
}

/** One row of the layer-class table (printout, state-dict keys, multi-step module runs). */
export interface ModuleRow {
  package: string;
  layer: string;
  cases: number;
  options: string[];
}

interface Report {
  torch: string;
  tolerance: { rtol: number; atol: number };
  ops: OpRow[];
  modules: ModuleRow[];
}

// The bundle runs from a cache folder: the caller names the packages folder.
const packagesDirectory = process.argv[2] ?? 'packages';

function fixtureFiles(folder: string): string[] {
  const directory = join(packagesDirectory, folder, 'src', '__fixtures__');
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => join(directory, file));
}

function optionKeys(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) optionKeys(item, into);
  } else if (typeof value === 'object' && value !== null && !('$input' in value) && !('$number' in value) && !('$tensor' in value)) {
    for (const key of Object.keys(value)) into.add(key);
  }
}

function decoded(encoded: EncodedTensor): number[] {
  return encoded.data.map(decodeNumber);
}

/**
 * The largest |actual − expected|, and the largest |actual − expected| / (atol + rtol·|expected|)
 * (NaN against NaN and equal infinities count as 0; a NaN elsewhere as Infinity).
 */
function differences(actual: ParityTensor, expected: EncodedTensor, tolerance: { rtol: number; atol: number }): [number, number] {
  const values = actual.toTypedArray();
  const wanted = decoded(expected);
  if (values.length !== wanted.length) return [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  let largest = 0;
  let fraction = 0;
  for (let i = 0; i < wanted.length; i++) {
    const a = Number(values[i]);
    const b = wanted[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    const difference = Math.abs(a - b);
    if (Number.isNaN(difference)) return [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    largest = Math.max(largest, difference);
    fraction = Math.max(fraction, difference / (tolerance.atol + tolerance.rtol * Math.abs(b)));
  }
  return [largest, fraction];
}

function expectedTensors(testCase: ParityCase): EncodedTensor[] {
  const expected = testCase.expected;
  if (expected.kind === 'tensor') return [expected.value];
  if (expected.kind === 'list') return expected.value;
  if (expected.kind === 'record') return Object.values(expected.value);
  return [];
}

function resultTensors(result: unknown): ParityTensor[] {
  if (Array.isArray(result)) return result as ParityTensor[];
  if (typeof result === 'object' && result !== null && !('shape' in result)) return Object.values(result) as ParityTensor[];
  return [result as ParityTensor];
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The exported classes a functional op stands behind: `conv2d` → Conv2d, `batchNorm` → BatchNorm1d/2d/3d, `mseLoss` → MSELoss. */
function classesOf(op: string, exports: object): string[] {
  const classes = Object.entries(exports)
    .filter(([name, value]) => typeof value === 'function' && /^[A-Z]/.test(name))
    .map(([name]) => name);
  const alias = CLASS_ALIASES[op];
  if (alias !== undefined) return classes.filter((name) => name === alias);
  const exact = classes.filter((name) => lowerFirst(name) === op || name.toLowerCase() === `${op.toLowerCase()}loss` || name.toLowerCase() === op.toLowerCase());
  return exact.length > 0 ? exact : classes.filter((name) => lowerFirst(name.replace(/[123]d$/, '')) === op);
}

/** Ops whose class is not their name capitalized. */
const CLASS_ALIASES: Record<string, string> = {
  binaryCrossEntropy: 'BCELoss',
  binaryCrossEntropyWithLogits: 'BCEWithLogitsLoss',
};

function replayOp(api: object, testCase: ParityCase, row: OpRow, tolerance: { rtol: number; atol: number }): void {
  if (testCase.expected.kind === 'error') {
    row.errorCases++;
    const inputs = testCase.inputs.map((spec) => buildInput(tensor, spec, false));
    const error = thrownBy(() => runCase(api, testCase, resolveArgs(testCase.args, inputs)));
    if (error instanceof Error) row.errorCasesThrown++;
    else row.failures.push(`${testCase.name}: PyTorch raises, Strata returned`);
    return;
  }
  const wantGrads = testCase.grads !== undefined;
  const inputs = testCase.inputs.map((spec) => buildInput(tensor, spec, wantGrads));
  const result = runCase(api, testCase, resolveArgs(testCase.args, inputs)).result;
  const expected = expectedTensors(testCase);
  const actual = resultTensors(result);
  expected.forEach((wanted, i) => {
    const [difference, fraction] = differences(actual[i]!, wanted, tolerance);
    row.maxForwardError = Math.max(row.maxForwardError, difference);
    row.worstToleranceFraction = Math.max(row.worstToleranceFraction, fraction);
    if (fraction > 1) row.failures.push(`${testCase.name}: forward differs by ${difference}`);
  });
  if (!wantGrads) return;
  row.gradientCases++;
  const outputs = floatOutputs(result);
  outputs.forEach((output, i) => output.backward(buildTensor(tensor, testCase.upstream![i]!), { retainGraph: true }));
  testCase.grads!.forEach((wanted, i) => {
    if (wanted === null) return;
    const grad = inputs[i]!.leaf.grad;
    const [difference, fraction] = grad === null ? [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY] : differences(grad, wanted, tolerance);
    row.maxGradientError = Math.max(row.maxGradientError, difference);
    row.worstToleranceFraction = Math.max(row.worstToleranceFraction, fraction);
    if (fraction > 1) row.failures.push(`${testCase.name}: gradient of input ${i} differs by ${difference}`);
  });
}

function main(): void {
  const ops = new Map<string, OpRow>();
  const modules = new Map<string, ModuleRow & { optionSet: Set<string> }>();
  let torch = '';
  let tolerance = { rtol: 0, atol: 0 };
  for (const [folder, { name, exports }] of Object.entries(PACKAGES)) {
    const layers = exports as Record<string, new (...args: unknown[]) => { forward(...inputs: unknown[]): unknown }>;
    // The pooling fixtures' layer cases call a layer built from (class name, constructor arguments), as the package's test does.
    const api = { ...tensor, ...exports, moduleForward: (className: string, args: unknown[], ...inputs: unknown[]): unknown => new layers[className]!(...args).forward(...inputs) };
    for (const file of fixtureFiles(folder)) {
      const fixture = JSON.parse(readFileSync(file, 'utf8')) as ParityFixture & { cases: Record<string, unknown>[] };
      torch = fixture.torch;
      tolerance = fixture.tolerance.float32;
      for (const raw of fixture.cases) {
        // Module cases: misc-modules names the class `layer`, norm-modules `module`; printouts and state-dict keys carry it in args[0].
        const layer = (raw.layer ?? raw.module ?? (String(raw.op).startsWith('module') ? (raw.args as unknown[])[0] : undefined)) as string | undefined;
        if (layer !== undefined && raw.op !== 'moduleForward') {
          const key = `${name} ${layer}`;
          const row = modules.get(key) ?? { package: name, layer, cases: 0, options: [], optionSet: new Set<string>() };
          row.cases++;
          optionKeys(raw.args, row.optionSet);
          optionKeys(raw.options, row.optionSet);
          modules.set(key, row);
          continue;
        }
        const testCase = raw as unknown as ParityCase;
        // A layer's forward pass (pooling-modules) is reported under the layer's name.
        const op = testCase.op === 'moduleForward' ? String(layer) : testCase.op;
        const key = `${name} ${op}`;
        let row = ops.get(key);
        if (row === undefined) {
          const classes = testCase.op === 'moduleForward' ? [op] : classesOf(op, exports);
          row = { package: name, op, classes, cases: 0, errorCases: 0, errorCasesThrown: 0, options: [], maxForwardError: 0, maxGradientError: 0, worstToleranceFraction: 0, gradientCases: 0, failures: [] };
          ops.set(key, row);
        }
        row.cases++;
        const options = new Set(row.options);
        optionKeys(testCase.args, options);
        row.options = [...options].sort();
        try {
          replayOp(api, testCase, row, tolerance);
        } catch (error) {
          row.failures.push(`${testCase.name}: ${(error as Error).message}`);
        }
      }
    }
  }
  const report: Report = {
    torch,
    tolerance,
    ops: [...ops.values()],
    modules: [...modules.values()].map(({ optionSet, ...row }) => ({ ...row, options: [...optionSet].sort() })),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main();
