import type { Callback, Logs, TrainingRun } from './callback.js';
import { appendText, fileSize, writeBytes } from './files.js';

/** Receives a logger's text instead of a file: the text to append (CSV) or the whole document (JSON). */
export type TextWriter = (text: string) => void | Promise<void>;

/** Options of {@link CsvLogger}. */
export interface CsvLoggerOptions {
  /**
   * The column separator.
   * @defaultValue `','`
   */
  separator?: string;
  /**
   * Append to an existing file (a resumed run) instead of starting a new one with a header.
   * @defaultValue false
   */
  append?: boolean;
}

function formatNumber(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : String(value);
}

/**
 * Writes one CSV row per epoch, like Keras' `CSVLogger`: a header of the
 * first epoch's figures (`epoch,loss,accuracy,valLoss,...`), then their values.
 *
 * @example
 * ```ts
 * import '@strata/train/node'; // a path needs Node.js's file system; or pass a writer
 * await fit(model, { ..., callbacks: [new CsvLogger('training.csv')] });
 * ```
 */
export class CsvLogger implements Callback {
  /** The column separator (`','` by default). */
  readonly separator: string;
  /**
   * Whether rows are appended to an existing file (a resumed run)
   * instead of a new file with a header (`false` by default).
   */
  readonly append: boolean;
  private readonly target: string | TextWriter;
  private columns: string[] | null = null;

  constructor(target: string | TextWriter, options: CsvLoggerOptions = {}) {
    this.target = target;
    this.separator = options.separator ?? ',';
    this.append = options.append ?? false;
  }

  private async write(text: string, replace: boolean): Promise<void> {
    if (typeof this.target === 'function') await this.target(text);
    else if (replace) await writeBytes(this.target, text, 'CsvLogger');
    else await appendText(this.target, text, 'CsvLogger');
  }

  /** Forgets the columns, so the run's first epoch sets them (and writes the header). */
  onTrainBegin(): void {
    this.columns = null;
  }

  async onEpochEnd(_epoch: number, logs: Logs): Promise<void> {
    let header = '';
    const first = this.columns === null;
    if (this.columns === null) {
      this.columns = Object.keys(logs);
      // Appending to a file that already has rows (a resumed run) adds no second header.
      const hasRows = this.append && typeof this.target === 'string' && (await fileSize(this.target, 'CsvLogger')) > 0;
      if (!hasRows) header = `${this.columns.join(this.separator)}\n`;
    }
    const row = `${this.columns.map((column) => formatNumber(logs[column])).join(this.separator)}\n`;
    await this.write(header + row, first && !this.append);
  }
}

/**
 * Writes the history as a JSON array of per-epoch logs after every epoch
 * (the whole file each time, so it is always valid JSON).
 *
 * @example
 * ```ts
 * import '@strata/train/node'; // a path needs Node.js's file system; or pass a writer
 * await fit(model, { ..., callbacks: [new JsonLogger('history.json')] });
 * ```
 */
export class JsonLogger implements Callback {
  private readonly target: string | TextWriter;

  constructor(target: string | TextWriter) {
    this.target = target;
  }

  async onEpochEnd(_epoch: number, _logs: Logs, run: TrainingRun): Promise<void> {
    const text = `${JSON.stringify(run.history, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
    if (typeof this.target === 'function') await this.target(text);
    else await writeBytes(this.target, text, 'JsonLogger');
  }
}
