/**
 * The benchmark page's script, bundled for the browser (tsup.config.ts →
 * dist/browser/page.js) with the built Strata packages inside. It times the
 * workloads below with the same harness and the same seeded inputs as Node
 * does, so `--peers strata-browser` compares one code path on two engines.
 * The Node side (src/peers/browser.ts) calls `window.strataBench`.
 */
import '@strata/autograd';
import { getNumThreads } from '@strata/tensor';
import { type Measurement, type TimingPolicy, measure } from '../harness.js';
import type { Runner } from '../workload.js';
import { setup, strataCnnStep } from '../workloads/cnn-model.js';

/** What the page offers the Node side. */
export interface BrowserBench {
  /** The workloads the page can time. */
  readonly ids: readonly string[];
  /** Whether the page is cross-origin isolated (COOP/COEP), so SharedArrayBuffer and threads could be used. */
  readonly crossOriginIsolated: boolean;
  /** The threads Strata's matrix product uses on this page (`getNumThreads()`: 1 unless it is cross-origin isolated). */
  readonly threads: number;
  /** Times workload `id` with `policy`; returns the measurement and the output for the check, as plain numbers. */
  run(id: string, policy: TimingPolicy): { measurement: Measurement; output: number[] | null };
}

const runners: Record<string, () => Runner> = {
  cnn_train_step: () => strataCnnStep(setup()),
};

declare global {
  interface Window {
    strataBench: BrowserBench;
  }
}

window.strataBench = {
  ids: Object.keys(runners),
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  threads: getNumThreads(),
  run(id, policy) {
    const make = runners[id];
    if (make === undefined) throw new RangeError(`bench page: no workload ${id}; it has ${Object.keys(runners).join(', ')}`);
    const runner = make();
    const measurement = measure(runner, policy);
    const output = runner.output?.();
    return { measurement, output: output === undefined ? null : Array.from(output) };
  },
};
document.title = 'Strata bench: ready';
