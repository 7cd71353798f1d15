import type { Measurement, TimingPolicy } from './harness.js';

/** What happened to one workload on one peer. */
export type Outcome =
  | { kind: 'timed'; measurement: Measurement }
  /** The peer cannot do this workload at all (a missing kernel); the reason says which. */
  | { kind: 'unsupported'; reason: string }
  /** The peer threw or is not installed; the reason says what. */
  | { kind: 'failed'; reason: string };

/** Whether Strata's output agreed with the peers' that could be read back. */
export type Check =
  | { kind: 'ok'; against: string[]; largestDifference: number }
  | { kind: 'mismatch'; against: string; difference: number; tolerance: number }
  | { kind: 'none' };

/** One row of the table. */
export interface WorkloadResult {
  id: string;
  summary: string;
  flop: number | undefined;
  /** By column: `strata`, then the peer columns of {@link BenchReport.columns}. */
  outcomes: Record<string, Outcome>;
  check: Check;
}

/** Everything one `pnpm bench` measured, as printed and as written by `--json`. */
export interface BenchReport {
  /** When the run started (ISO 8601). */
  startedAt: string;
  environment: {
    node: string;
    cpu: string;
    cores: number;
    /** One line per peer saying what it is and how it runs. */
    peers: Record<string, string>;
  };
  policy: TimingPolicy;
  /** The peer columns, in table order (Strata's own column comes first and is not listed). */
  columns: string[];
  results: WorkloadResult[];
  /** Lines printed under the table: peers that are missing, reasons for cells without a time. */
  notes: string[];
}
