import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBenchArguments, usage } from './options.js';
import { runBench } from './run.js';
import { formatReport } from './table.js';
import { workloads } from './workloads/index.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseBenchArguments>;
  try {
    options = parseBenchArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (options.list) {
    for (const workload of workloads) process.stdout.write(`${workload.id.padEnd(24)} ${workload.summary}\n`);
    return 0;
  }
  const report = await runBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`\n${formatReport(report)}\n`);
  if (options.jsonPath !== undefined) {
    // Relative to where `pnpm bench` was typed, not to apps/bench where pnpm runs the script.
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), options.jsonPath);
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`wrote ${path}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
