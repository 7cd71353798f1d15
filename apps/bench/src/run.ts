import { availableParallelism, cpus } from 'node:os';
import { getNumThreads } from '@strata/tensor';
import { type Measurement, extrapolate, measure, measureAsync, relativeDifference } from './harness.js';
import type { BenchOptions } from './options.js';
import { type BrowserPeer, openBrowserPeer } from './peers/browser.js';
import { type JaxPeer, loadJax } from './peers/jax.js';
import { type TfjsBackendName, type TfjsPeer, loadTfjs } from './peers/tfjs.js';
import { type TorchReport, runTorchPeer } from './peers/torch.js';
import type { BenchReport, Check, Outcome, WorkloadResult } from './report.js';
import { formatMilliseconds } from './table.js';
import { type Runner, UnsupportedError, type Workload } from './workload.js';
import { selectWorkloads } from './workloads/index.js';

/** Progress lines go to stderr so that stdout holds only the report. */
export type Logger = (line: string) => void;

const tfjsBackends: readonly TfjsBackendName[] = ['cpu', 'wasm'];

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Times one runner, reads its output back, and frees it, whatever happens. */
async function timeRunner(
  makeRunner: () => Runner,
  options: BenchOptions,
  workload: Workload,
): Promise<{ outcome: Outcome; output: Float32Array | undefined }> {
  let runner: Runner | undefined;
  try {
    runner = makeRunner();
    const policy = { ...options.policy, ...workload.policy };
    const runAsync = runner.runAsync?.bind(runner);
    let measurement: Measurement = runAsync === undefined ? measure(runner, policy) : await measureAsync(runAsync, policy);
    if (runner.extrapolation !== undefined) measurement = extrapolate(measurement, runner.extrapolation.factor, runner.extrapolation.basis);
    const note = runner.note?.();
    if (note !== undefined) measurement.note = note;
    return { outcome: { kind: 'timed', measurement }, output: runner.output?.() };
  } catch (error) {
    const kind = error instanceof UnsupportedError ? 'unsupported' : 'failed';
    return { outcome: { kind, reason: errorMessage(error) }, output: undefined };
  } finally {
    runner?.dispose?.();
  }
}

function compareOutputs(
  workload: Workload,
  ours: Float32Array | undefined,
  theirs: ReadonlyMap<string, Float32Array>,
): Check {
  if (ours === undefined || theirs.size === 0) return { kind: 'none' };
  let largestDifference = 0;
  for (const [peer, output] of theirs) {
    const difference = relativeDifference(ours, output);
    if (!(difference <= workload.tolerance)) {
      return { kind: 'mismatch', against: peer, difference, tolerance: workload.tolerance };
    }
    largestDifference = Math.max(largestDifference, difference);
  }
  return { kind: 'ok', against: [...theirs.keys()], largestDifference };
}

function describeTorch(report: TorchReport): string {
  if (!report.available) return `PyTorch: ${report.reason}`;
  const threads = report.runs.map((run) => run.threads).join(' and ');
  const blas = report.blas.length > 0 ? report.blas.join(', ') : 'no BLAS library seen';
  return `PyTorch ${report.version} on CPU (${blas}), ${threads} threads (torch's default: ${report.defaultThreads})`;
}

/**
 * Runs every selected workload on every selected peer and gathers the
 * results. PyTorch runs first, in its own process; then, workload by
 * workload, Strata, the TF.js backends and jax-js in this process.
 */
export async function runBench(options: BenchOptions, log: Logger): Promise<BenchReport> {
  const selected = selectWorkloads(options.only, options.full);
  const ids = selected.map((workload) => workload.id);
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    environment: {
      node: process.versions.node,
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: availableParallelism(),
      peers: {},
    },
    policy: options.policy,
    columns: [],
    results: [],
    notes: [],
  };
  if (options.peers.includes('strata')) {
    const threads = getNumThreads();
    report.environment.peers.strata = `Strata (@strata/tensor), TypeScript with a WebAssembly SIMD float32 matrix product on ${threads} thread${threads === 1 ? '' : 's'} (setNumThreads / STRATA_NUM_THREADS)`;
  }

  let torch: TorchReport | undefined;
  if (options.peers.includes('torch')) {
    log(`PyTorch: timing ${ids.join(', ')} ...`);
    torch = await runTorchPeer(ids, options.policy);
    report.environment.peers.torch = describeTorch(torch);
    if (!torch.available) report.notes.push(`PyTorch: ${torch.reason}`);
  }

  const wantedBackends = tfjsBackends.filter((backend) => options.peers.includes(`tfjs-${backend}`));
  let tfjs: TfjsPeer | undefined;
  let tfjsFailure: string | undefined;
  if (wantedBackends.length > 0) {
    try {
      tfjs = await loadTfjs(wantedBackends);
      report.environment.peers.tfjs = `TensorFlow.js ${tfjs.version}: ${wantedBackends
        .map((backend) => `${backend} (${tfjs!.descriptions[backend]})`)
        .join(', ')}`;
    } catch (error) {
      tfjsFailure = `TensorFlow.js failed to load: ${errorMessage(error)}`;
      report.notes.push(tfjsFailure);
    }
  }

  let jax: JaxPeer | undefined;
  let jaxFailure: string | undefined;
  if (options.peers.includes('jax')) {
    try {
      jax = await loadJax();
      report.environment.peers.jax = `jax-js ${jax.version}: ${jax.description}`;
    } catch (error) {
      jaxFailure = `jax-js failed to load: ${errorMessage(error)}`;
      report.notes.push(jaxFailure);
    }
  }

  let browser: BrowserPeer | undefined;
  let browserFailure: string | undefined;
  if (options.peers.includes('strata-browser')) {
    log('Chromium: opening the bench page ...');
    try {
      browser = await openBrowserPeer();
      report.environment.peers['strata-browser'] =
        `Strata in ${browser.version} (headless), the same packages bundled into one page with the same harness and inputs, ${browser.threads} thread${browser.threads === 1 ? '' : 's'}; ` +
        `page ${browser.crossOriginIsolated ? 'cross-origin isolated (COOP/COEP)' : 'NOT cross-origin isolated'}; times ${browser.ids.join(', ')}`;
    } catch (error) {
      browserFailure = `Strata in the browser: ${errorMessage(error)}`;
      report.notes.push(browserFailure);
    }
  }

  report.columns = [
    ...(options.peers.includes('strata-browser') ? ['strata-browser'] : []),
    ...wantedBackends.map((backend) => `tfjs-${backend}`),
    ...(options.peers.includes('jax') ? ['jax'] : []),
    ...(torch?.available ? torch.runs.map((run) => `torch-${run.threads}t`) : []),
  ];

  try {
    for (const workload of selected) {
      const prepared = workload.prepare();
      const outcomes: Record<string, Outcome> = {};
      let strataOutput: Float32Array | undefined;
      const peerOutputs = new Map<string, Float32Array>();

      if (options.peers.includes('strata')) {
        const { outcome, output } = await timeRunner(() => prepared.strata(), options, workload);
        outcomes.strata = outcome;
        strataOutput = output;
      }
      if (options.peers.includes('strata-browser')) {
        const { outcome, output } = await timeInBrowser(browser, browserFailure, workload, options);
        outcomes['strata-browser'] = outcome;
        if (output !== undefined) peerOutputs.set('strata-browser', output);
      }
      for (const backend of wantedBackends) {
        const column = `tfjs-${backend}`;
        if (tfjs === undefined) {
          outcomes[column] = { kind: 'failed', reason: tfjsFailure ?? 'TensorFlow.js not loaded' };
          continue;
        }
        await tfjs.use(backend);
        const tf = tfjs.tf;
        const { outcome, output } = await timeRunner(() => prepared.tfjs(tf), options, workload);
        outcomes[column] = outcome;
        if (output !== undefined) peerOutputs.set(column, output);
      }
      if (options.peers.includes('jax')) {
        if (jax === undefined) {
          outcomes.jax = { kind: 'failed', reason: jaxFailure ?? 'jax-js not loaded' };
        } else {
          const module = jax.jax;
          const { outcome, output } = await timeRunner(() => prepared.jax(module), options, workload);
          outcomes.jax = outcome;
          if (output !== undefined) peerOutputs.set('jax', output);
        }
      }
      if (torch?.available) {
        for (const run of torch.runs) {
          const measurement = run.results[workload.id];
          outcomes[`torch-${run.threads}t`] =
            measurement === undefined
              ? { kind: 'unsupported', reason: 'not in python/peer.py' }
              : { kind: 'timed', measurement };
        }
      }

      const result: WorkloadResult = {
        id: workload.id,
        summary: workload.summary,
        flop: workload.flop,
        outcomes,
        check: compareOutputs(workload, strataOutput, peerOutputs),
      };
      report.results.push(result);
      log(
        `${workload.id}: ${Object.entries(outcomes)
          .map(([peer, outcome]) => `${peer} ${outcome.kind === 'timed' ? `${formatMilliseconds(outcome.measurement.medianMs)} ms` : outcome.kind}`)
          .join(', ')}`,
      );
      for (const [peer, outcome] of Object.entries(outcomes)) {
        // The header lists what the browser page times; a line per workload it does not have would say nothing more.
        if (outcome.kind === 'unsupported' && peer === 'strata-browser') continue;
        if (outcome.kind !== 'timed') report.notes.push(`${workload.id} on ${peer}: ${outcome.kind}: ${outcome.reason}`);
        else {
          const { note, estimatedFrom } = outcome.measurement;
          if (estimatedFrom !== undefined) report.notes.push(`${workload.id} on ${peer}: ~ = estimated from ${estimatedFrom}`);
          if (note !== undefined) report.notes.push(`${workload.id} on ${peer}: ${note}`);
        }
      }
      const node = outcomes.strata;
      const inBrowser = outcomes['strata-browser'];
      if (node?.kind === 'timed' && inBrowser?.kind === 'timed') {
        const ratio = inBrowser.measurement.medianMs / node.measurement.medianMs;
        report.notes.push(
          `${workload.id}: in Chromium ${formatMilliseconds(inBrowser.measurement.medianMs)} ms, in Node ${formatMilliseconds(node.measurement.medianMs)} ms: ` +
            `browser/Node ${ratio.toFixed(2)}× (target: 1.5× or less)`,
        );
      }
      if (result.check.kind === 'mismatch') {
        report.notes.push(
          `${workload.id}: Strata's output differs from ${result.check.against}'s by ${result.check.difference.toExponential(2)} ` +
            `(relative to its largest value; tolerance ${result.check.tolerance})`,
        );
      }
    }
  } finally {
    // The browser must not outlive the run, whatever a workload threw.
    await browser?.close();
  }
  return report;
}

/** Times `workload` in the browser page, when the page has it. */
async function timeInBrowser(
  browser: BrowserPeer | undefined,
  failure: string | undefined,
  workload: Workload,
  options: BenchOptions,
): Promise<{ outcome: Outcome; output: Float32Array | undefined }> {
  if (browser === undefined) return { outcome: { kind: 'failed', reason: failure ?? 'the browser did not open' }, output: undefined };
  if (!browser.ids.includes(workload.id)) {
    return { outcome: { kind: 'unsupported', reason: `the browser page times ${browser.ids.join(', ')} only` }, output: undefined };
  }
  try {
    const { measurement, output } = await browser.run(workload.id, { ...options.policy, ...workload.policy });
    return { outcome: { kind: 'timed', measurement }, output };
  } catch (error) {
    return { outcome: { kind: 'failed', reason: errorMessage(error) }, output: undefined };
  }
}
