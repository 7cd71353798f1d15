import { describe, expect, it } from 'vitest';
import type { WorkloadResult } from './report.js';
import { formatMilliseconds, formatRatio, gflopsOf, renderTable, tableHeader, tableRow } from './table.js';

const timed = (medianMs: number, reps = 10, capped = false) =>
  ({ kind: 'timed', measurement: { medianMs, minMs: medianMs, reps, warmups: 3, capped } }) as const;

describe('formatMilliseconds', () => {
  it('keeps three significant digits at most', () => {
    expect(formatMilliseconds(3620.4)).toBe('3620');
    expect(formatMilliseconds(14.24)).toBe('14.2');
    expect(formatMilliseconds(2.054)).toBe('2.05');
    expect(formatMilliseconds(0.4513)).toBe('0.451');
  });
});

describe('formatRatio', () => {
  it('keeps two significant digits and appends ×', () => {
    expect(formatRatio(0.0312)).toBe('0.031×');
    expect(formatRatio(1.23)).toBe('1.2×');
    expect(formatRatio(27.4)).toBe('27×');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('gflopsOf', () => {
  it('divides the FLOP count by the time: 2·512³ FLOP in 10 ms is 26.84 GFLOP/s', () => {
    expect(gflopsOf(2 * 512 ** 3, 10)).toBeCloseTo(26.8435456, 6);
  });
});

describe('tableRow', () => {
  const columns = ['tfjs-cpu', 'tfjs-wasm', 'torch-1t'];

  it('gives Strata ms, GFLOP/s, the check, each peer ms and each ratio Strata/peer', () => {
    const result: WorkloadResult = {
      id: 'matmul_512',
      summary: '',
      flop: 2 * 512 ** 3,
      outcomes: { strata: timed(20), 'tfjs-cpu': timed(400, 4, true), 'tfjs-wasm': timed(10), 'torch-1t': timed(4) },
      check: { kind: 'ok', against: ['tfjs-cpu', 'tfjs-wasm'], largestDifference: 1e-7 },
    };
    expect(tableHeader(columns)).toEqual([
      'workload', 'Strata ms', 'GFLOP/s', 'check', 'tfjs-cpu ms', 'tfjs-wasm ms', 'torch-1t ms',
      'Strata/tfjs-cpu', 'Strata/tfjs-wasm', 'Strata/torch-1t',
    ]);
    expect(tableRow(result, columns)).toEqual([
      'matmul_512', '20.0', '13.4', 'ok', '400 (4 reps)', '10.0', '4.00', '0.050×', '2.0×', '5.0×',
    ]);
  });

  it('leaves cells without a time, and ratios without two times, as n/a, failed or —', () => {
    const result: WorkloadResult = {
      id: 'conv2d_fwd_bwd',
      summary: '',
      flop: undefined,
      outcomes: {
        strata: timed(30),
        'tfjs-cpu': { kind: 'failed', reason: 'out of memory' },
        'tfjs-wasm': { kind: 'unsupported', reason: 'no Conv2DBackpropFilter kernel' },
      },
      check: { kind: 'none' },
    };
    expect(tableRow(result, columns)).toEqual([
      'conv2d_fwd_bwd', '30.0', '—', '—', 'failed', 'n/a', '—', '—', '—', '—',
    ]);
  });

  it('marks an estimated time with ~ and takes the ratio from it', () => {
    const estimate = { kind: 'timed', measurement: { ...timed(40_000_000, 1, false).measurement, estimatedFrom: '3 of 938 steps' } } as const;
    const result: WorkloadResult = {
      id: 'fashion_mnist_epoch',
      summary: '',
      flop: undefined,
      outcomes: { strata: timed(400_000, 1), 'tfjs-cpu': estimate },
      check: { kind: 'none' },
    };
    expect(tableRow(result, ['tfjs-cpu'])).toEqual(['fashion_mnist_epoch', '400000', '—', '—', '~40000000', '0.010×']);
  });

  it('flags a mismatch with its size', () => {
    const result: WorkloadResult = {
      id: 'matmul_256',
      summary: '',
      flop: 2 * 256 ** 3,
      outcomes: { strata: timed(1) },
      check: { kind: 'mismatch', against: 'tfjs-cpu', difference: 0.0312, tolerance: 1e-4 },
    };
    expect(tableRow(result, [])[3]).toBe('MISMATCH 3.1e-2');
  });
});

describe('renderTable', () => {
  it('pads a Markdown table: first column left-aligned, the others right-aligned', () => {
    const text = renderTable(['workload', 'ms'], [['matmul_256', '1.50'], ['a', '1234']]);
    expect(text).toBe(
      [
        '| workload   |   ms |',
        '|:-----------|-----:|',
        '| matmul_256 | 1.50 |',
        '| a          | 1234 |',
      ].join('\n'),
    );
  });
});
