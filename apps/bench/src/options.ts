import { parseArgs } from 'node:util';
import { type TimingPolicy, defaultTimingPolicy } from './harness.js';

/**
 * The peers `--peers` can name; `torch` stands for both of its thread counts, `jax` for jax-js on
 * WebAssembly, `strata-browser` for Strata's own page in Chromium.
 */
export const peerNames = ['strata', 'strata-browser', 'tfjs-cpu', 'tfjs-wasm', 'jax', 'torch'] as const;

/** The peers run when `--peers` is not given: all but the browser, which only `--peers strata-browser` starts. */
export const defaultPeers: readonly PeerName[] = peerNames.filter((peer) => peer !== 'strata-browser');

/** One of {@link peerNames}. */
export type PeerName = (typeof peerNames)[number];

/** What the command line asked for. */
export interface BenchOptions {
  /** Workload ids to run; empty for all. */
  only: string[];
  peers: PeerName[];
  policy: TimingPolicy;
  /** Where to also write the results as JSON, if anywhere. */
  jsonPath: string | undefined;
  /** Also run the workloads that take minutes (`fashion_mnist_epoch`) when `only` is empty. */
  full: boolean;
  help: boolean;
}

/** The `--help` text. */
export const usage = `Usage: pnpm bench [-- options]   (or: node apps/bench/dist/main.js [options])

Times the workloads of shared/bench/WORKLOADS.md on Strata and its peers, in one run.

Options:
  --only <id,...>        workloads to run (default: all), e.g. --only matmul_512,matmul_1024
  --peers <name,...>     any of ${peerNames.join(',')} (default: all but strata-browser, which times
                         cnn_train_step in Chromium, /usr/bin/chromium, next to Node)
  --reps <N>             timed runs wanted per workload and peer (default: ${defaultTimingPolicy.reps})
  --warmups <N>          untimed runs first (default: ${defaultTimingPolicy.warmups})
  --cap-seconds <S>      time budget per workload per peer; slow peers stop early (default: ${defaultTimingPolicy.capSeconds})
  --min-seconds <S>      fast workloads run past --reps until this much timed work (default: ${defaultTimingPolicy.minSeconds})
  --full                 also run the workloads that take minutes (fashion_mnist_epoch: Fashion-MNIST from
                         /usr/share/datasets/fashion-mnist); --only runs them when it names them
  --json <file>          also write the results as JSON
  --list                 print the workload ids and exit
  --help                 print this
`;

function positiveNumber(text: string | undefined, name: string, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`bench: --${name} expects a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  }
  return value;
}

function commaList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

/** Parses the command line (without `node` and the script); throws RangeError on a bad value. */
export function parseBenchArguments(argv: readonly string[]): BenchOptions & { list: boolean } {
  const { values } = parseArgs({
    args: [...argv].filter((argument) => argument !== '--'),
    options: {
      only: { type: 'string' },
      peers: { type: 'string' },
      reps: { type: 'string' },
      warmups: { type: 'string' },
      'cap-seconds': { type: 'string' },
      'min-seconds': { type: 'string' },
      json: { type: 'string' },
      list: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const requestedPeers = commaList(values.peers);
  const unknownPeers = requestedPeers.filter((peer) => !(peerNames as readonly string[]).includes(peer));
  if (unknownPeers.length > 0) {
    throw new RangeError(`bench: unknown peer ${unknownPeers.join(', ')}; expected any of ${peerNames.join(', ')}`);
  }
  const peers = requestedPeers.length === 0 ? [...defaultPeers] : peerNames.filter((peer) => requestedPeers.includes(peer));
  const warmups = values.warmups === undefined ? defaultTimingPolicy.warmups : Number(values.warmups);
  if (!Number.isInteger(warmups) || warmups < 0) {
    throw new RangeError(`bench: --warmups expects a non-negative integer, got '${values.warmups}'`);
  }
  const reps = positiveNumber(values.reps, 'reps', defaultTimingPolicy.reps, true);
  return {
    only: commaList(values.only),
    peers,
    policy: {
      ...defaultTimingPolicy,
      warmups,
      reps,
      maxReps: Math.max(defaultTimingPolicy.maxReps, reps),
      capSeconds: positiveNumber(values['cap-seconds'], 'cap-seconds', defaultTimingPolicy.capSeconds, false),
      minSeconds: positiveNumber(values['min-seconds'], 'min-seconds', defaultTimingPolicy.minSeconds, false),
    },
    jsonPath: values.json,
    full: values.full ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}
