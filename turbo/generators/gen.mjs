#!/usr/bin/env node
/**
 * `pnpm gen <generator> [answers...]`, e.g. `pnpm gen layer-package recurrent`.
 *
 * Runs the installed @turbo/gen on turbo/generators/config.ts. `turbo gen`
 * would instead fetch the @turbo/gen release matching turbo's own version at
 * run time, which fails offline (and when the two versions differ).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(dirname(createRequire(import.meta.url).resolve('@turbo/gen/package.json')), 'dist', 'cli.js');
const [generator, ...answers] = process.argv.slice(2);
if (generator === undefined) {
  console.error('usage: pnpm gen <generator> [answers...]   (generators: layer-package)');
  process.exit(2);
}
const args = [cli, 'run', generator, '--root', root];
if (answers.length > 0) args.push('--args', ...answers);
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
