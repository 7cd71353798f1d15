import type { BenchReport, Check, Outcome, WorkloadResult } from './report.js';

/** Milliseconds with three significant digits at most (`3620`, `14.2`, `2.05`, `0.451`). */
export function formatMilliseconds(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) return String(milliseconds);
  if (milliseconds >= 100) return milliseconds.toFixed(0);
  if (milliseconds >= 10) return milliseconds.toFixed(1);
  if (milliseconds >= 1) return milliseconds.toFixed(2);
  return milliseconds.toFixed(3);
}

/** A ratio ours/peer with two significant digits and a `×` (`0.031×`, `1.2×`, `27×`, `1300×`). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  if (ratio >= 1) return `${ratio.toFixed(1)}×`;
  return `${ratio.toPrecision(2)}×`;
}

/** GFLOP/s from a FLOP count and a time in milliseconds: `flop / (ms · 10⁶)`. */
export function gflopsOf(flop: number, milliseconds: number): number {
  return flop / (milliseconds * 1e6);
}

function timeCell(outcome: Outcome | undefined): string {
  if (outcome === undefined) return '—';
  if (outcome.kind === 'unsupported') return 'n/a';
  if (outcome.kind === 'failed') return 'failed';
  const { medianMs, reps, capped, estimatedFrom } = outcome.measurement;
  const time = `${estimatedFrom === undefined ? '' : '~'}${formatMilliseconds(medianMs)}`;
  return capped ? `${time} (${reps} rep${reps === 1 ? '' : 's'})` : time;
}

function checkCell(check: Check): string {
  if (check.kind === 'ok') return 'ok';
  if (check.kind === 'mismatch') return `MISMATCH ${check.difference.toExponential(1)}`;
  return '—';
}

function medianOf(outcome: Outcome | undefined): number | undefined {
  return outcome?.kind === 'timed' ? outcome.measurement.medianMs : undefined;
}

/** The cells of one row, in the order of {@link tableHeader}. */
export function tableRow(result: WorkloadResult, columns: readonly string[]): string[] {
  const ours = medianOf(result.outcomes.strata);
  const gflops = ours !== undefined && result.flop !== undefined ? gflopsOf(result.flop, ours).toFixed(1) : '—';
  const cells = [result.id, timeCell(result.outcomes.strata), gflops, checkCell(result.check)];
  for (const column of columns) cells.push(timeCell(result.outcomes[column]));
  for (const column of columns) {
    const theirs = medianOf(result.outcomes[column]);
    cells.push(ours !== undefined && theirs !== undefined ? formatRatio(ours / theirs) : '—');
  }
  return cells;
}

/** The header: workload, Strata's time, its GFLOP/s, the check, each peer's time, then each ratio. */
export function tableHeader(columns: readonly string[]): string[] {
  return [
    'workload',
    'Strata ms',
    'GFLOP/s',
    'check',
    ...columns.map((column) => `${column} ms`),
    ...columns.map((column) => `Strata/${column}`),
  ];
}

/**
 * A Markdown table padded so that it also reads as columns in a terminal:
 * the first column left-aligned, the others right-aligned.
 */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, 3, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((width, column) => (column === 0 ? (cells[column] ?? '').padEnd(width) : (cells[column] ?? '').padStart(width))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The whole printout: the environment, the table, how to read it, and the notes. */
export function formatReport(report: BenchReport): string {
  const { environment, policy } = report;
  const lines = [
    `Strata bench, ${report.startedAt}: Node ${environment.node}, ${environment.cpu}, ${environment.cores} cores`,
    ...Object.entries(environment.peers).map(([peer, description]) => `  ${peer}: ${description}`),
    `  timing: median of >= ${policy.reps} timed runs (more, up to ${policy.maxReps}, until ${policy.minSeconds} s of work) ` +
      `after ${policy.warmups} warm-ups; at most ~${policy.capSeconds} s per workload per peer ("(N reps)" = stopped by that cap)`,
    '',
    renderTable(
      tableHeader(report.columns),
      report.results.map((result) => tableRow(result, report.columns)),
    ),
    '',
    'Strata/peer = Strata ms / peer ms: below 1 Strata is faster, 2.0× means Strata takes twice as long.',
    'check: Strata\'s output against the other peers\' outputs of the same inputs (TF.js, jax-js, Strata in Chromium; "—": none to compare with).',
    ...report.notes,
  ];
  return lines.join('\n');
}
