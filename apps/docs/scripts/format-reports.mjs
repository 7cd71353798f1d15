// Markdown for the generated parts of the site: the parity tables, the
// performance table and the home page's headline figures. Pure functions of
// the parity report (scripts/parity-report.ts) and of a `pnpm bench --json` result.

const escape = (text) => String(text).replace(/\|/g, '\\|');

function table(header, rows, align) {
  const rule = header.map((_, i) => (align?.[i] === 'left' || i === 0 ? ':--' : '--:'));
  return [header, rule, ...rows].map((cells) => `| ${cells.map(escape).join(' | ')} |`).join('\n');
}

/** A small error with two significant digits (`0`, `1.9e-6`). */
export function formatError(value) {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return '∞';
  return value.toExponential(1).replace('e', 'e');
}

function code(names) {
  return names.length === 0 ? '—' : names.map((name) => `\`${name}\``).join(', ');
}

/** The totals the parity page and the home page quote. */
export function paritySummary(parity) {
  // Replayed here: the function cases. The layer-object cases (printouts, state-dict keys, module steps) are counted; their tests replay them.
  const cases = parity.ops.reduce((sum, row) => sum + row.cases, 0);
  const layerCases = parity.modules.reduce((sum, row) => sum + row.cases, 0);
  const failures = parity.ops.reduce((sum, row) => sum + row.failures.length, 0);
  const worst = Math.max(...parity.ops.map((row) => row.worstToleranceFraction));
  const classes = new Set(parity.ops.flatMap((row) => row.classes));
  return { cases, layerCases, failures, worst, classes: classes.size };
}

/** The parity page's generated part. */
export function formatParity(parity) {
  const summary = paritySummary(parity);
  const { rtol, atol } = parity.tolerance;
  const lines = [
    `Replayed at build time: **${summary.cases} PyTorch ${parity.torch} cases** of the functions behind **${summary.classes} layer and loss classes**, ` +
      `${summary.failures === 0 ? '**all within the tests\u2019 tolerance**' : `**${summary.failures} outside the tests\u2019 tolerance**`} ` +
      `(float32: |Strata − PyTorch| ≤ ${atol} + ${rtol}·|PyTorch|); the worst element used ${(summary.worst * 100).toFixed(1)} % of it. ` +
      `The packages' test suites replay these and ${summary.layerCases} more cases on the layer objects (last table).`,
    '',
  ];
  const packages = [...new Set(parity.ops.map((row) => row.package))];
  for (const name of packages) {
    lines.push(`### ${name}`, '');
    const rows = parity.ops
      .filter((row) => row.package === name)
      .map((row) => [
        `\`${row.op}\``,
        code(row.classes),
        String(row.cases),
        row.errorCases === 0 ? '0' : `${row.errorCasesThrown}/${row.errorCases}`,
        row.options.length === 0 ? '—' : row.options.join(', '),
        formatError(row.maxForwardError),
        row.gradientCases === 0 ? '—' : formatError(row.maxGradientError),
        `${(row.worstToleranceFraction * 100).toFixed(1)} %`,
      ]);
    lines.push(
      table(['function', 'layer class', 'cases', 'rejected as PyTorch does', 'options covered', 'largest forward error', 'largest gradient error', 'of tolerance'], rows, ['left', 'left', 'right', 'right', 'left']),
      '',
    );
  }
  lines.push('### Layer objects', '', 'Cases that build the layer itself: its printout (`toString()` against `repr()`), its state-dict keys, and for the normalization layers several training and evaluation steps with running statistics.', '');
  lines.push(
    table(
      ['package', 'layer class', 'cases', 'constructor options covered'],
      parity.modules.map((row) => [row.package, `\`${row.layer}\``, String(row.cases), row.options.length === 0 ? '—' : row.options.join(', ')]),
      ['left', 'left', 'right', 'left'],
    ),
    '',
  );
  return `${lines.join('\n')}\n`;
}

function timed(outcome) {
  return outcome?.kind === 'timed' ? outcome.measurement.medianMs : undefined;
}

function milliseconds(value) {
  if (value === undefined) return '—';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function ratio(ours, theirs) {
  if (ours === undefined || theirs === undefined) return '—';
  const value = ours / theirs;
  if (value >= 10) return `${value.toFixed(0)}×`;
  if (value >= 1) return `${value.toFixed(1)}×`;
  return `${value.toPrecision(2)}×`;
}

function cell(outcome) {
  if (outcome === undefined) return '—';
  if (outcome.kind === 'unsupported') return 'n/a';
  if (outcome.kind === 'failed') return 'failed';
  return `${outcome.measurement.estimatedFrom === undefined ? '' : '~'}${milliseconds(outcome.measurement.medianMs)}`;
}

/** The performance page's generated part. */
export function formatPerformance(bench) {
  const { environment } = bench;
  const lines = [
    `Measured on **${bench.startedAt.slice(0, 10)}** (${bench.startedAt}) with Node ${environment.node} on ${environment.cpu}, ${environment.cores} cores.`,
    '',
    ...Object.entries(environment.peers).map(([peer, description]) => `- **${peer}**: ${description}`),
    '',
    table(
      ['workload', 'Strata ms', ...bench.columns.map((column) => `${column} ms`), ...bench.columns.map((column) => `Strata / ${column}`)],
      bench.results.map((result) => {
        const ours = timed(result.outcomes.strata);
        return [
          `\`${result.id}\``,
          cell(result.outcomes.strata),
          ...bench.columns.map((column) => cell(result.outcomes[column])),
          ...bench.columns.map((column) => ratio(ours, timed(result.outcomes[column]))),
        ];
      }),
    ),
    '',
    '| workload | what it times |',
    '| :-- | :-- |',
    ...bench.results.map((result) => `| \`${result.id}\` | ${escape(result.summary)} |`),
    '',
    ...(bench.notes.length === 0 ? [] : ['Notes from the run:', '', ...bench.notes.map((note) => `- ${escape(note)}`), '']),
  ];
  return `${lines.join('\n')}\n`;
}

/** The home page's figures: parity and speed, both read from the generated data. */
export function formatHeadline(parity, bench) {
  const summary = paritySummary(parity);
  const step = bench.results.find((result) => result.id === 'cnn_train_step');
  const ours = timed(step?.outcomes.strata);
  const peers = bench.columns.filter((column) => timed(step?.outcomes[column]) !== undefined);
  const speed =
    ours === undefined
      ? ''
      : `- **${milliseconds(ours)} ms** for one training step of the Fashion-MNIST CNN (batch 64) in Node on ${bench.environment.cores} cores` +
        (peers.length === 0 ? '' : ` (${peers.map((peer) => `${peer}: ${milliseconds(timed(step.outcomes[peer]))} ms`).join(', ')})`) +
        ` — [all workloads](/guide/performance), measured ${bench.startedAt.slice(0, 10)}.`;
  return [
    `- **${summary.cases} cases** replayed against PyTorch ${parity.torch} when this site was built, over ${summary.classes} layer and loss classes: ` +
      `${summary.failures === 0 ? 'all within' : `${summary.failures} outside`} float32 tolerance — [the parity report](/guide/parity).`,
    speed,
    '',
  ].join('\n');
}
