import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DemoOptions, defaultDemoOptions } from './demo.js';

/** The default place of the curves: `examples/fashion-mnist/out/` (git-ignored). */
export const DEFAULT_PLOT = fileURLToPath(new URL('../out/training-curves.svg', import.meta.url));

/** The `--help` text. */
export const usage = `Usage: pnpm demo [-- options]   (or: node examples/fashion-mnist/dist/main.js [options])

Trains a small CNN on Fashion-MNIST with @strata/train and prints the test accuracy and confusion matrix.
Without --data it uses the subset shipped in examples/fashion-mnist/data (6,000 training, 1,000 test images).

Options:
  --data <dir>           a folder with the four Fashion-MNIST IDX files (.gz or not), e.g.
                         /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist: 60,000 + 10,000 images)
  --epochs <n>           epochs to train (default ${defaultDemoOptions.epochs})
  --batch-size <n>       samples per batch (default ${defaultDemoOptions.batchSize})
  --lr <x>               Adam's learning rate (default ${defaultDemoOptions.lr})
  --scheduler <name>     none or cosine (CosineAnnealingLR over the epochs; default none)
  --subset <n>           train on the first n training images only
  --test-subset <n>      evaluate on the first n test images only
  --seed <n>             the random seed (default ${defaultDemoOptions.seed})
  --save <file>          save the trained model's state dict as safetensors (PyTorch's key names)
  --plot <file>          where to write the loss/accuracy curves as SVG (default examples/fashion-mnist/out/training-curves.svg)
  --checkpoint <file>    save a resumable checkpoint after every epoch
  --resume <file>        go on from a checkpoint (same --epochs: the total)
  --help                 print this
`;

function integer(text: string | undefined, name: string, fallback: number | null, minimum: number): number | null {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw new RangeError(`--${name} expects an integer >= ${minimum}, got '${text}'`);
  return value;
}

/** Parses the command line (without `node` and the script) into demo options, or `'help'`. @throws RangeError on a bad value. */
export function parseDemoArguments(argv: readonly string[], cwd: string = process.cwd()): Partial<DemoOptions> | 'help' {
  const { values } = parseArgs({
    args: argv.filter((argument) => argument !== '--'),
    options: {
      data: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      scheduler: { type: 'string' },
      subset: { type: 'string' },
      'test-subset': { type: 'string' },
      seed: { type: 'string' },
      save: { type: 'string' },
      plot: { type: 'string' },
      checkpoint: { type: 'string' },
      resume: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const lr = values.lr === undefined ? defaultDemoOptions.lr : Number(values.lr);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`--lr expects a positive number, got '${values.lr}'`);
  const scheduler = values.scheduler ?? 'none';
  if (scheduler !== 'none' && scheduler !== 'cosine') throw new RangeError(`--scheduler expects none or cosine, got '${scheduler}'`);
  const path = (value: string | undefined): string | null => (value === undefined ? null : resolve(cwd, value));
  return {
    dataDirectory: path(values.data) ?? defaultDemoOptions.dataDirectory,
    epochs: integer(values.epochs, 'epochs', defaultDemoOptions.epochs, 1)!,
    batchSize: integer(values['batch-size'], 'batch-size', defaultDemoOptions.batchSize, 1)!,
    lr,
    scheduler,
    subset: integer(values.subset, 'subset', null, 1),
    testSubset: integer(values['test-subset'], 'test-subset', null, 1),
    seed: integer(values.seed, 'seed', defaultDemoOptions.seed, 0)!,
    save: path(values.save),
    plot: path(values.plot) ?? DEFAULT_PLOT,
    checkpoint: path(values.checkpoint),
    resume: path(values.resume),
  };
}
