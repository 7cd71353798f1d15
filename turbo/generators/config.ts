/**
 * The workspace's code generators, run by `@turbo/gen` (`pnpm gen <generator> <answers...>`).
 *
 * `layer-package <name>` stamps packages/layers-<name>: a small working op
 * (kernel registered by name, `defineOp` forward and backward, functional
 * form and module), validated options, unit, gradcheck and PyTorch parity
 * tests, README, CHANGELOG, build and test configs, plus the PyTorch case
 * script tooling/parity/cases_<name>.py and a changeset. Then it brings the
 * umbrella package up to date and writes the parity fixture with PyTorch.
 * CONTRIBUTING.md walks through what to change next.
 */
import type { PlopTypes } from '@turbo/gen';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Runs a command at the repository root and reports it as the action's result. */
function run(root: string, command: string, args: string[]): string {
  execFileSync(command, args, { cwd: root, stdio: 'inherit' });
  return `${command} ${args.join(' ')}`;
}

/** The umbrella package: the folder of packages/ that holds scripts/sync-packages.mjs, and its npm name. */
function umbrellaOf(root: string): { folder: string; name: string } {
  const folder = readdirSync(join(root, 'packages')).find((entry) => existsSync(join(root, 'packages', entry, 'scripts', 'sync-packages.mjs')));
  if (folder === undefined) throw new Error('layer-package: no umbrella package (packages/*/scripts/sync-packages.mjs) found');
  const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as { name: string };
  return { folder: `packages/${folder}`, name: manifest.name };
}

export default function generators(plop: PlopTypes.NodePlopAPI): void {
  // The repository root: @turbo/gen sets it as plop's destination.
  const root = (): string => plop.getDestBasePath();
  const umbrella = umbrellaOf(root());

  plop.setGenerator('layer-package', {
    description: 'A new layer package packages/layers-<name> with a working op, its tests and its PyTorch fixture hook',
    prompts: [
      {
        type: 'input',
        name: 'name',
        message: 'Package name after "layers-" (kebab-case, e.g. "recurrent"):',
        validate(input: string): true | string {
          if (!NAME_PATTERN.test(input)) return `"${input}" is not kebab-case (lowercase words joined by "-")`;
          if (existsSync(join(plop.getDestBasePath(), 'packages', `layers-${input}`))) return `packages/layers-${input} already exists`;
          return true;
        },
      },
    ],
    actions: [
      {
        type: 'addMany',
        destination: 'packages/layers-{{name}}',
        base: 'templates/layer-package',
        templateFiles: 'templates/layer-package/**/*',
        stripExtensions: ['hbs'],
        globOptions: { dot: true },
      },
      {
        type: 'add',
        path: 'tooling/parity/cases_{{snakeCase name}}.py',
        templateFile: 'templates/parity-cases.py.hbs',
      },
      {
        type: 'add',
        path: '.changeset/layers-{{name}}-initial.md',
        templateFile: 'templates/changeset.md.hbs',
        data: { umbrella: umbrella.name },
      },
      // Every public manifest follows one convention (tooling/PACKAGING.md): the new one's fields are written from its exports keys.
      () => run(root(), process.execPath, ['tooling/packaging/manifests.mjs']),
      // The umbrella re-exports every package: its index and dependencies are regenerated.
      () => run(root(), process.execPath, [`${umbrella.folder}/scripts/sync-packages.mjs`]),
      // The parity fixture comes from real PyTorch (Debian's python3-torch).
      (answers) => run(root(), '/usr/bin/python3', ['tooling/parity/generate.py', '--family', String(answers.name).replaceAll('-', '_')]),
      () => 'next: pnpm install, then pnpm --filter @strata/layers-<name> test (see CONTRIBUTING.md)',
    ],
  });
}
