import type { BatchLogs, Callback, Logs, TrainingRun } from './callback.js';

/** Where a progress bar writes: `process.stdout`, or anything with `write`. */
export interface ProgressStream {
  /** Writes text as it is (the bar ends lines with `\n`, or redraws with `\r` on a terminal). */
  write(text: string): unknown;
  /** Whether the stream is a terminal (then the bar redraws in place). */
  readonly isTTY?: boolean;
  /** The terminal's width in characters. */
  readonly columns?: number;
}

/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /**
   * Where to write.
   * @defaultValue `process.stdout` (in a runtime without it: `console.log`, plain lines)
   */
  stream?: ProgressStream;
  /**
   * Redraw one line in place (a terminal) or print plain lines (a log file, CI).
   * @defaultValue `true` when the stream is a terminal and the `CI` environment variable is not set
   */
  interactive?: boolean;
  /**
   * Plain mode: how many progress lines per epoch (spread evenly over its steps), besides the epoch's summary.
   * @defaultValue 4
   */
  linesPerEpoch?: number;
  /**
   * Interactive mode: the least time between two redraws, in milliseconds.
   * @defaultValue 100
   */
  refreshMs?: number;
  /**
   * The number of cells of the bar.
   * @defaultValue 24
   */
  barWidth?: number;
  /** The clock, in milliseconds (for tests). @defaultValue `performance.now` */
  clock?: () => number;
}

interface ProcessLike {
  stdout?: ProgressStream;
  env?: Record<string, string | undefined>;
}

function runtimeProcess(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** Whether the `CI` environment variable says this is a CI run (set and not `false` / `0`). */
export function isCI(env: Record<string, string | undefined> | undefined = runtimeProcess()?.env): boolean {
  const value = env?.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** An epoch's logs as `loss 0.4123  accuracy 0.8512 ...` (without `epoch`, `lr` and `seconds`). */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .filter(([name]) => name !== 'epoch' && name !== 'seconds' && name !== 'lr')
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join('  ');
}

const consoleStream: ProgressStream = {
  write: (text: string) => {
    const line = text.replace(/\n$/, '');
    if (line.length > 0) console.log(line);
  },
  isTTY: false,
};

/**
 * Shows training progress: per epoch, the step count, the running loss, the
 * throughput (samples per second) and the time left. On a terminal it
 * redraws one line in place; when standard output is not a terminal, or the
 * `CI` environment variable is set, it prints a few plain lines per epoch
 * instead (no carriage returns, no escape codes). Each epoch ends with one
 * summary line of its figures. `fit` adds one unless `progress: false`.
 *
 * @example
 * ```ts
 * await fit(model, { ..., progress: { linesPerEpoch: 10 } });
 * // epoch 1/3  step 235/938  loss 0.6120  1850 samples/s  0:38 left
 * // ...
 * // epoch 1/3  938/938  loss 0.4471  accuracy 0.8402  valLoss 0.3810  valAccuracy 0.8630  41.0 s
 * ```
 */
export class ProgressBar implements Callback {
  /** Whether the bar redraws one line in place (a terminal outside CI) rather than printing plain lines. */
  readonly interactive: boolean;
  private readonly stream: ProgressStream;
  private readonly linesPerEpoch: number;
  private readonly refreshMs: number;
  private readonly barWidth: number;
  private readonly clock: () => number;
  private epochStart = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private samples = 0;
  private lossSum = 0;
  private steps = 0;
  private nextPlainLine = 0;
  private drawn = false;

  constructor(options: ProgressBarOptions = {}) {
    const process = runtimeProcess();
    this.stream = options.stream ?? process?.stdout ?? consoleStream;
    this.interactive = options.interactive ?? (this.stream.isTTY === true && !isCI(process?.env));
    this.linesPerEpoch = options.linesPerEpoch ?? 4;
    this.refreshMs = options.refreshMs ?? 100;
    this.barWidth = options.barWidth ?? 24;
    this.clock = options.clock ?? (() => performance.now());
  }

  private epochLabel(run: TrainingRun): string {
    const width = String(run.epochs).length;
    return `epoch ${String(run.epoch + 1).padStart(width)}/${run.epochs}`;
  }

  /** Starts the epoch's clock and resets its running loss, sample count and step count. */
  onEpochBegin(): void {
    this.epochStart = this.clock();
    this.lastDraw = Number.NEGATIVE_INFINITY;
    this.samples = 0;
    this.lossSum = 0;
    this.steps = 0;
    this.nextPlainLine = 1;
    this.drawn = false;
  }

  onBatchEnd(_batch: number, logs: BatchLogs, run: TrainingRun): void {
    this.steps++;
    this.samples += logs.size;
    this.lossSum += logs.loss * logs.size;
    const now = this.clock();
    const total = run.stepsPerEpoch;
    if (this.interactive) {
      if (now - this.lastDraw < this.refreshMs && this.steps !== total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.fitToWidth(this.progressLine(run, now, true))}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (total === null || this.linesPerEpoch <= 0) return;
    // Plain lines at evenly spaced steps, never on the last one (the summary follows it).
    const due = Math.ceil((this.nextPlainLine * total) / (this.linesPerEpoch + 1));
    if (this.steps >= due && this.steps < total && this.nextPlainLine <= this.linesPerEpoch) {
      while (this.nextPlainLine <= this.linesPerEpoch && Math.ceil((this.nextPlainLine * total) / (this.linesPerEpoch + 1)) <= this.steps) this.nextPlainLine++;
      this.stream.write(`${this.progressLine(run, now, false)}\n`);
    }
  }

  onValidationBegin(run: TrainingRun): void {
    if (this.interactive) {
      this.stream.write(`\r${this.fitToWidth(`${this.epochLabel(run)}  validating...`)}\x1b[K`);
      this.drawn = true;
    }
  }

  onEpochEnd(_epoch: number, logs: Logs, run: TrainingRun): void {
    const seconds = (this.clock() - this.epochStart) / 1000;
    const steps = run.stepsPerEpoch ?? this.steps;
    const line = `${this.epochLabel(run)}  ${this.steps}/${steps}  ${formatLogs(logs)}  ${seconds.toFixed(1)} s`;
    this.stream.write(`${this.interactive && this.drawn ? '\r' : ''}${line}${this.interactive ? '\x1b[K' : ''}\n`);
    this.drawn = false;
  }

  private progressLine(run: TrainingRun, now: number, withBar: boolean): string {
    const elapsed = (now - this.epochStart) / 1000;
    const total = run.stepsPerEpoch;
    const loss = this.samples > 0 ? this.lossSum / this.samples : Number.NaN;
    const rate = elapsed > 0 ? this.samples / elapsed : 0;
    const parts = [this.epochLabel(run)];
    if (total !== null && withBar) {
      const filled = Math.min(this.barWidth, Math.floor((this.steps / total) * this.barWidth));
      const bar = filled >= this.barWidth ? '='.repeat(this.barWidth) : `${'='.repeat(filled)}>${' '.repeat(this.barWidth - filled - 1)}`;
      parts.push(`[${bar}] ${String(this.steps).padStart(String(total).length)}/${total}`);
    } else {
      parts.push(total === null ? `step ${this.steps}` : `step ${this.steps}/${total}`);
    }
    parts.push(`loss ${loss.toFixed(4)}`, `${rate.toFixed(0)} samples/s`);
    if (total !== null && this.steps > 0) parts.push(`${formatDuration((elapsed / this.steps) * (total - this.steps))} left`);
    return parts.join('  ');
  }

  private fitToWidth(line: string): string {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
  }
}
