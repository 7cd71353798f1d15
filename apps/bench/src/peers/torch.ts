import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Measurement, TimingPolicy } from '../harness.js';

/** The Python that has Debian's `python3-torch` (the `python3` first on PATH may be another one). */
export const torchPython = '/usr/bin/python3';

/** What to tell a user whose machine lacks PyTorch. */
export const torchInstallHint = 'apt-get install python3-torch libopenblas0-pthread';

/** One thread count's timings, by workload id. */
export interface TorchRun {
  threads: number;
  results: Record<string, Measurement>;
}

/** What `python/peer.py` reported, or why there is nothing. */
export type TorchReport =
  | {
      available: true;
      version: string;
      defaultThreads: number;
      cores: number;
      /** The BLAS libraries torch had loaded (OpenBLAS, or the 30× slower reference BLAS). */
      blas: string[];
      /** Whether OpenBLAS's own thread pool was pinned along with torch's. */
      openblasThreadsSet: boolean;
      runs: TorchRun[];
    }
  | { available: false; reason: string };

/** The peer script, found from `dist/main.js` and from `src/peers/torch.ts` alike. */
function peerScriptPath(): string {
  for (const relative of ['../python/peer.py', '../../python/peer.py']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('bench: python/peer.py not found beside the harness');
}

/**
 * Runs `python/peer.py` once as a child process: it times the workloads
 * with PyTorch on 1 thread and on all cores, by the same policy, and
 * prints JSON. Never throws for a missing or broken PyTorch: the report
 * says why instead.
 */
export async function runTorchPeer(ids: readonly string[], policy: TimingPolicy): Promise<TorchReport> {
  if (!existsSync(torchPython)) {
    return { available: false, reason: `not installed (${torchInstallHint})` };
  }
  const argumentsList = [
    peerScriptPath(),
    '--only', ids.join(','),
    '--warmups', String(policy.warmups),
    '--reps', String(policy.reps),
    '--min-seconds', String(policy.minSeconds),
    '--max-reps', String(policy.maxReps),
    '--cap-seconds', String(policy.capSeconds),
  ];
  let stdout: string;
  try {
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(torchPython, argumentsList, { maxBuffer: 16 * 1024 * 1024 }, (error, out, errorOutput) => {
        if (error) reject(new Error(`${error.message.trim()}\n${errorOutput.trim()}`));
        else resolve(out);
      });
    });
  } catch (error) {
    return { available: false, reason: `failed: ${(error as Error).message.split('\n').slice(-1)[0]}` };
  }
  return parseTorchReport(stdout);
}

/** Parses the peer script's output (its last line is the JSON object). */
export function parseTorchReport(stdout: string): TorchReport {
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    return { available: false, reason: `failed: peer.py printed no JSON (${lastLine.slice(0, 80)})` };
  }
  const report = parsed as Partial<Extract<TorchReport, { available: true }>> & { available?: boolean; reason?: string };
  if (report.available !== true) {
    return { available: false, reason: `not installed (${torchInstallHint})` };
  }
  return report as TorchReport;
}
