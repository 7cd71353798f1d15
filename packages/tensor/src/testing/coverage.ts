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
  /** Where its draws live: `'tensor'` for the suite's own, else the label given in `drawsElsewhere` (or `'extraCases'`), or `null`. */
  drawnBy: string | null;
}

/**
 * Every registered kernel with its backends (what is registered when this
 * is called). `drawsElsewhere` names, by kernel, where draws that are not
 * passed here live (a layer package's conformance test), so the table can
 * say so.
 */
export function kernelCoverage(
  extraCases: Readonly<Record<string, ArgumentDraw>> = {}, drawsElsewhere: Readonly<Record<string, string>> = {},
): KernelCoverageRow[] {
  return listKernels().map((kernel) => {
    const drawnBy = kernel in CORE_CASES ? 'tensor' : kernel in extraCases ? 'extraCases' : (drawsElsewhere[kernel] ?? null);
    return {
      kernel,
      backends: kernelBackends(kernel as KernelName),
      active: backendOf(kernel as KernelName),
      checked: drawnBy !== null,
      drawnBy,
    };
  });
}

/**
 * The coverage as a Markdown table: a column per backend (`✓` registered,
 * `✓*` registered and active), and whether the suite checks the kernel
 * (`yes`, or `yes (label)` for draws that live elsewhere, see {@link kernelCoverage}).
 */
export function kernelCoverageTable(
  extraCases: Readonly<Record<string, ArgumentDraw>> = {}, drawsElsewhere: Readonly<Record<string, string>> = {},
): string {
  const backends = listBackends();
  const rows = kernelCoverage(extraCases, drawsElsewhere);
  const lines = [
    `| kernel | ${backends.join(' | ')} | conformance inputs |`,
    `|:--|${backends.map(() => ':-:').join('|')}|:-:|`,
  ];
  for (const row of rows) {
    const cells = backends.map((backend) => (row.backends.includes(backend) ? (row.active === backend ? '✓*' : '✓') : ''));
    const checked = row.drawnBy === null ? '' : row.drawnBy === 'tensor' || row.drawnBy === 'extraCases' ? 'yes' : `yes (${row.drawnBy})`;
    lines.push(`| ${row.kernel} | ${cells.join(' | ')} | ${checked} |`);
  }
  const counts = backends.map((backend) => `${backend} ${rows.filter((row) => row.backends.includes(backend)).length}`);
  const checkedCount = rows.filter((row) => row.checked).length;
  lines.push(
    '',
    `${rows.length} kernels; registered per backend: ${counts.join(', ')}; ✓* marks the active one; ${checkedCount} with conformance inputs.`,
  );
  return lines.join('\n');
}
