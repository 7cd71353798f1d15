/**
 * The generators behind the site's data pages: which packages the reference
 * documents, and the Markdown of the parity and performance reports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatHeadline, formatParity, formatPerformance } from '../scripts/format-reports.mjs';
import { packagesDirectory, publicPackages } from '../scripts/packages.mjs';

describe('publicPackages', () => {
  const packages = publicPackages();

  it('lists every public package with its subpath exports, and not the umbrella', () => {
    const names = packages.map((pkg) => pkg.name);
    expect(names).toContain('@strata/tensor');
    expect(names).toContain('@strata/layers-conv');
    expect(names).not.toContain('strata');
    expect(names).not.toContain('@strata/nn');
    const module = packages.find((pkg) => pkg.name === '@strata/module')!;
    expect(module.entries.map((entry) => entry.specifier)).toEqual(['@strata/module', '@strata/module/node', '@strata/module/testing']);
  });

  it('agrees with the package.json files: a private package or the umbrella is left out, any other is in', () => {
    for (const pkg of packages) {
      const manifest = JSON.parse(readFileSync(join(packagesDirectory, pkg.folder, 'package.json'), 'utf8')) as { private?: boolean };
      expect(manifest.private, pkg.name).not.toBe(true);
      for (const entry of pkg.entries) expect(entry.source.startsWith(join(packagesDirectory, pkg.folder, 'src'))).toBe(true);
    }
  });
});

const parity = {
  torch: '1.13.0a0',
  tolerance: { rtol: 1e-4, atol: 1e-5 },
  ops: [
    { package: '@strata/layers-conv', op: 'conv2d', classes: ['Conv2d'], cases: 3, errorCases: 1, errorCasesThrown: 1, options: ['padding', 'stride'], maxForwardError: 1.5e-6, maxGradientError: 0, worstToleranceFraction: 0.25, gradientCases: 2, failures: [] },
  ],
  modules: [{ package: '@strata/layers-conv', layer: 'Conv2d', cases: 2, options: ['bias'] }],
};

const bench = {
  startedAt: '2026-12-06T20:08:00.000Z',
  environment: { node: 'v20.20.2', cpu: 'Test CPU', cores: 2, peers: { 'tfjs-cpu': 'TensorFlow.js cpu' } },
  columns: ['tfjs-cpu'],
  results: [
    {
      id: 'cnn_train_step',
      summary: 'one step',
      outcomes: {
        strata: { kind: 'timed', measurement: { medianMs: 50, minMs: 45, reps: 5, warmups: 1, capped: false } },
        'tfjs-cpu': { kind: 'timed', measurement: { medianMs: 200, minMs: 190, reps: 5, warmups: 1, capped: false } },
      },
    },
  ],
  notes: [],
};

describe('the report Markdown', () => {
  it('puts each function of the parity report in a row with its cases, options and errors', () => {
    const markdown = formatParity(parity);
    expect(markdown).toContain('**3 PyTorch 1.13.0a0 cases**');
    expect(markdown).toContain('and 2 more cases on the layer objects');
    expect(markdown).toContain('| `conv2d` | `Conv2d` | 3 | 1/1 | padding, stride | 1.5e-6 | 0 | 25.0 % |');
    expect(markdown).toContain('| @strata/layers-conv | `Conv2d` | 2 | bias |');
  });

  it('writes the bench table with the date, the machine and Strata / peer ratios', () => {
    const markdown = formatPerformance(bench);
    expect(markdown).toContain('**2026-12-06**');
    expect(markdown).toContain('Test CPU, 2 cores');
    expect(markdown).toContain('| `cnn_train_step` | 50.0 | 200 | 0.25× |');
  });

  it('quotes both in the headline', () => {
    const markdown = formatHeadline(parity, bench);
    expect(markdown).toContain('**3 cases**');
    expect(markdown).toContain('**50.0 ms** for one training step');
  });
});
