import { describe, expect, it } from 'vitest';
import '../index.js';
import { type KernelName, backendOf, kernelBackends, listBackends, registerKernel, unregisterKernel } from '../registry.js';
import { Tensor } from '../tensor.js';
import { conformanceCases, coveredKernels, kernelCoverage, kernelCoverageTable } from '../testing.js';

describe('backend conformance', () => {
  it('has a backend per registered implementation: the composite defaults, the CPU reference and the wasm backend', () => {
    expect(listBackends()).toEqual(['composite', 'cpu', 'wasm']);
  });

  for (const backend of ['cpu', 'wasm']) {
    describe(backend, () => {
      const cases = conformanceCases(backend);
      it('has a case for every kernel it registers that the suite knows', () => {
        const registered = coveredKernels().filter((kernel) => kernelBackends(kernel as KernelName).includes(backend));
        expect(cases.map((check) => check.kernel).sort()).toEqual(registered);
        expect(cases.length).toBeGreaterThan(backend === 'cpu' ? 90 : 1);
      });
      for (const check of cases) it(check.name, () => check.run());
    });
  }

  it('catches a kernel that ignores strides', () => {
    const careless = (input: Tensor): Tensor => {
      const data = input.storage.data.slice(input.offset, input.offset + input.numel());
      return Tensor.fromData(data.map(Math.exp), input.shape);
    };
    // Reads the storage from the offset on, as if every input were contiguous.
    registerKernel('exp', (input) => careless(input), { backend: 'careless', override: true });
    try {
      expect(backendOf('exp')).toBe('careless');
      const [check] = conformanceCases('careless');
      expect(check!.kernel).toBe('exp');
      expect(() => check!.run()).toThrow(/careless exp, round \d+ result: element \d+ is/);
    } finally {
      unregisterKernel('exp', 'careless');
    }
  });

  it('prints the kernel × backend table', () => {
    const table = kernelCoverageTable();
    expect(table).toContain('| kernel | composite | cpu | wasm | conformance inputs |');
    expect(table).toContain('| gemm |  | ✓ | ✓* | yes |');
    expect(table).toContain('| reluBackward | ✓ | ✓* |  | yes |');
    // Draws a layer package keeps in its own conformance test are named after it.
    expect(kernelCoverage().every((row) => row.checked)).toBe(true);
    // A layer package's kernel, whose draws live in that package's conformance test.
    const probe = 'layerProbe' as KernelName;
    registerKernel(probe, ((input: Tensor) => input) as never);
    // The probe's row: ✓* in the cpu column, empty in the others (whichever backends there are).
    const probeRow = (checked: string): string => `| layerProbe | ${listBackends().map((backend) => (backend === 'cpu' ? '✓*' : '')).join(' | ')} | ${checked} |`;
    try {
      expect(kernelCoverageTable()).toContain(probeRow(''));
      const elsewhere = kernelCoverageTable({}, { layerProbe: 'layers-x', gemm: 'layers-y' });
      expect(elsewhere).toContain(probeRow('yes (layers-x)'));
      expect(elsewhere).toMatch(/\| gemm \|.*\| yes \|/);
      expect(elsewhere).toMatch(new RegExp(`; ${kernelCoverage().length} with conformance inputs\\.$`));
    } finally {
      unregisterKernel(probe, 'cpu');
    }
  });
});
