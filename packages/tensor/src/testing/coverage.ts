/**
 * The kernel × backend table: which backend registered each kernel, which
 * one is active, and whether the conformance suite has inputs for it.
 */
import { type KernelName, backendOf, kernelBackends, listBackends, listKernels } from '../registry.js';
import { CORE_CASES, type ArgumentDraw } from './cases.js';

/** One kernel's row of the coverage table. */
export interface KernelCoverageRow {
  /** The kernel name. */
  kernel: string;
  /** The backends that registered it, oldest first. */
  backends: string[];
  /** The active one. */
  active: string | null;
  /** Whether the conformance suite draws arguments for it. */
  checked: boolean;
}

/** Every registered kernel with its backends (what is registered when this is called). */
export function kernelCoverage(extraCases: Readonly<Record<string, ArgumentDraw>> = {}): KernelCoverageRow[] {
  const draws = { ...CORE_CASES, ...extraCases };
  return listKernels().map((kernel) => ({
    kernel,
    backends: kernelBackends(kernel as KernelName),
    active: backendOf(kernel as KernelName),
    checked: kernel in draws,
  }));
}

/**
 * The coverage as a Markdown table: a column per backend (`✓` registered,
 * `✓*` registered and active), and whether the suite checks the kernel.
 */
export function kernelCoverageTable(extraCases: Readonly<Record<string, ArgumentDraw>> = {}): string {
  const backends = listBackends();
  const rows = kernelCoverage(extraCases);
  const lines = [
    `| kernel | ${backends.join(' | ')} | conformance inputs |`,
    `|:--|${backends.map(() => ':-:').join('|')}|:-:|`,
  ];
  for (const row of rows) {
    const cells = backends.map((backend) => (row.backends.includes(backend) ? (row.active === backend ? '✓*' : '✓') : ''));
    lines.push(`| ${row.kernel} | ${cells.join(' | ')} | ${row.checked ? 'yes' : ''} |`);
  }
  const counts = backends.map((backend) => `${backend} ${rows.filter((row) => row.backends.includes(backend)).length}`);
  lines.push('', `${rows.length} kernels; registered per backend: ${counts.join(', ')}; ✓* marks the active one.`);
  return lines.join('\n');
}
