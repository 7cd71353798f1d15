import { parseDemoArguments, usage } from './cli.js';
import { runDemo } from './demo.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseDemoArguments>;
  try {
    // Paths on the command line are relative to where `pnpm demo` was typed, not to this package.
    options = parseDemoArguments(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  await runDemo(options);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fashion-mnist: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
