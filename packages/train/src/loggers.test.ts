import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logs, TrainingRun } from './callback.js';
import { CsvLogger, JsonLogger } from './loggers.js';
import './node.js'; // lets the loggers take paths

function runWith(history: Logs[]): TrainingRun {
  return { history } as unknown as TrainingRun;
}

async function feed(logger: CsvLogger | JsonLogger, epochs: Logs[]): Promise<void> {
  const history: Logs[] = [];
  if (logger instanceof CsvLogger) logger.onTrainBegin();
  for (const [epoch, logs] of epochs.entries()) {
    history.push(logs);
    await logger.onEpochEnd(epoch, logs, runWith(history));
  }
}

const twoEpochs: Logs[] = [
  { epoch: 0, loss: 0.5, valAccuracy: 0.8 },
  { epoch: 1, loss: 0.25, valAccuracy: Number.NaN },
];

describe('CsvLogger', () => {
  it('writes a header of the first epoch’s figures and one row per epoch (NaN as an empty cell)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'strata-csv-')), 'log.csv');
    await feed(new CsvLogger(path), twoEpochs);
    expect(readFileSync(path, 'utf8')).toBe('epoch,loss,valAccuracy\n0,0.5,0.8\n1,0.25,\n');
    // A new run without append starts the file over.
    await feed(new CsvLogger(path), twoEpochs.slice(0, 1));
    expect(readFileSync(path, 'utf8')).toBe('epoch,loss,valAccuracy\n0,0.5,0.8\n');
  });

  it('append adds rows to an existing file without a second header, and starts a missing one with a header', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'strata-csv-'));
    const path = join(folder, 'log.csv');
    await feed(new CsvLogger(path, { append: true }), twoEpochs.slice(0, 1));
    await feed(new CsvLogger(path, { append: true, separator: ';' }), twoEpochs.slice(1));
    expect(readFileSync(path, 'utf8')).toBe('epoch,loss,valAccuracy\n0,0.5,0.8\n1;0.25;\n');
  });

  it('writes to a function', async () => {
    const chunks: string[] = [];
    await feed(new CsvLogger((text) => void chunks.push(text)), twoEpochs);
    expect(chunks).toEqual(['epoch,loss,valAccuracy\n0,0.5,0.8\n', '1,0.25,\n']);
  });
});

describe('JsonLogger', () => {
  it('rewrites the whole history as a JSON array after each epoch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'strata-json-')), 'history.json');
    await feed(new JsonLogger(path), twoEpochs);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([
      { epoch: 0, loss: 0.5, valAccuracy: 0.8 },
      { epoch: 1, loss: 0.25, valAccuracy: null },
    ]);
  });
});
