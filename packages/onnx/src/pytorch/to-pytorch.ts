import { Module, saveSafetensors } from '@strata/module';
import { describeModule, lookupByClass } from '../module-types.js';
import { pythonLiteral } from './python-literals.js';
import { SAFETENSORS_FUNCTIONS, minPoolClass } from './python-support.js';
import { type PyTorchConstructor, type PyTorchWriter, pytorchLayers } from './pytorch-layers.js';

/** Thrown when a model has no `torch.nn` equivalent: the message names the module. */
export class PyTorchExportError extends Error {
  /** The error's name in stack traces: `'PyTorchExportError'`. */
  override name = 'PyTorchExportError';
}

/** Options of {@link toPyTorch}. */
export interface ToPyTorchOptions {
  /**
   * The name of the Python class the file defines.
   * @defaultValue `'Net'`
   */
  className?: string;
  /**
   * The weights file the generated `__main__` block loads (the name you save
   * {@link PyTorchModel.safetensors} under).
   * @defaultValue `'net.safetensors'`
   */
  weightsFile?: string;
}

/** What {@link toPyTorch} writes: the module's Python source and its weights. */
export interface PyTorchModel {
  /** Python source defining the `torch.nn` module class, plus `load_file` / `save_file` for safetensors. */
  readonly source: string;
  /** The model's state dict in the safetensors format, with PyTorch's keys (integer counters as I64). */
  readonly safetensors: Uint8Array;
  /** The Python class name. */
  readonly className: string;
}

const writers = new Map<string, PyTorchWriter<never>>(Object.entries(pytorchLayers));

/** The containers, written from their children: `Sequential` runs them in order, so the Python one does the same. */
const CONTAINERS: Record<string, string> = { Sequential: 'nn.Sequential', ModuleList: 'nn.ModuleList', ModuleDict: 'nn.ModuleDict' };

/**
 * Adds how a module class of your own is written as a `torch.nn` module,
 * found by its class name as the built-in layers are: the writer returns
 * the Python class to call (a `torch.nn` class, or one you define in the
 * file yourself) and the call's arguments.
 *
 * @throws Error when `typeName` already has a writer and `override` is not set.
 * @example
 * ```ts
 * registerPyTorchModule('Swish', () => ({ className: 'nn.SiLU', arguments: '' }));
 * ```
 */
export function registerPyTorchModule<M extends Module>(typeName: string, writer: PyTorchWriter<M>, options: { override?: boolean } = {}): void {
  if (writers.has(typeName) && options.override !== true) {
    throw new Error(`registerPyTorchModule: ${typeName} already has a PyTorch writer (pass { override: true } to replace it)`);
  }
  writers.set(typeName, writer as PyTorchWriter<never>);
}

function containerName(module: Module): string | null {
  for (let prototype: object | null = Object.getPrototypeOf(module) as object | null; prototype !== null; ) {
    const name = (prototype as { constructor: { name: string } }).constructor.name;
    if (name in CONTAINERS) return CONTAINERS[name]!;
    if (Object.hasOwn(prototype, 'forward')) return null;
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
  return null;
}

function indent(text: string, spaces: number): string {
  return text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
}

function writeModule(module: Module, path: string, helpers: Set<string>): PyTorchConstructor {
  const container = containerName(module);
  if (container !== null) {
    const children = module.namedChildren().map(([name, child]) => {
      const written = writeModule(child, path === '' ? name : `${path}.${name}`, helpers);
      return { name, source: `${written.className}(${written.arguments})` };
    });
    if (container === 'nn.ModuleList') {
      return { className: container, arguments: children.length === 0 ? '' : `[\n    ${children.map((child) => indent(child.source, 4)).join(',\n    ')},\n]` };
    }
    const entries = children.map((child) => `(${pythonLiteral(child.name)}, ${indent(child.source, 4)})`);
    return { className: container, arguments: entries.length === 0 ? '' : `OrderedDict([\n    ${entries.join(',\n    ')},\n])` };
  }
  const found = lookupByClass(module, writers);
  if (found === null) {
    throw new PyTorchExportError(
      `toPyTorch: ${describeModule(module.getName(), path)} has no torch.nn equivalent: toPyTorch writes Sequential, ModuleList, ` +
        'ModuleDict and the layers of @strata/layers-conv, -norm, -misc, -recurrent and -attention (registerPyTorchModule adds a class of your own)',
    );
  }
  const written = (found.entry as PyTorchWriter)(module);
  const minPool = /^StrataMinPool(\d)d$/.exec(written.className);
  if (minPool !== null) helpers.add(minPoolClass(Number(minPool[1])));
  return written;
}

/**
 * Writes a model as the equivalent `torch.nn` module: Python source that
 * defines a class (`Net` by default) built of the same layers with the same
 * options and the same state-dict keys, and the safetensors of the weights,
 * so that in PyTorch
 *
 * ```python
 * from net import Net, load_file
 * model = Net()
 * model.load_state_dict(load_file("net.safetensors"))
 * ```
 *
 * computes what the Strata model computes (train it there, with
 * `DistributedDataParallel` across machines, and bring the weights back with
 * the file's `save_file` and `loadSafetensors`). The model must be made of
 * `Sequential`, `ModuleList`, `ModuleDict` and the layer packages' modules
 * (or classes registered with {@link registerPyTorchModule}): a module with a
 * `forward` of its own has no Python source to be written from.
 *
 * @throws PyTorchExportError naming the first module that has no `torch.nn` equivalent.
 * @example
 * ```ts
 * const { source, safetensors } = toPyTorch(model);
 * writeFileSync('net.py', source);
 * writeFileSync('net.safetensors', safetensors);
 * ```
 */
export function toPyTorch(model: Module, options: ToPyTorchOptions = {}): PyTorchModel {
  if (!(model instanceof Module)) throw new TypeError('toPyTorch: expected a Module');
  const className = options.className ?? 'Net';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) throw new RangeError(`toPyTorch: className must be a Python identifier, got '${className}'`);
  const weightsFile = options.weightsFile ?? 'net.safetensors';
  const helpers = new Set<string>();
  const root = writeModule(model, '', helpers);
  const source = [
    `"""${className}: written by @strata/onnx toPyTorch from the Strata model ${model.getName()}.`,
    '',
    `    model = ${className}()`,
    `    model.load_state_dict(load_file(${pythonLiteral(weightsFile)}))`,
    '"""',
    '',
    'import json',
    'import struct',
    'from collections import OrderedDict',
    '',
    'import torch',
    'from torch import nn',
    '',
    SAFETENSORS_FUNCTIONS,
    ...[...helpers].map((helper) => `\n${helper}`),
    '',
    `class ${className}(${root.className}):`,
    `    """The Strata model ${model.getName()} as torch.nn (state-dict keys as in Strata)."""`,
    '',
    '    def __init__(self):',
    `        super().__init__(${indent(root.arguments, 8)})`,
    '',
    '',
    'if __name__ == "__main__":',
    `    model = ${className}()`,
    `    model.load_state_dict(load_file(${pythonLiteral(weightsFile)}))`,
    '    print(model)',
    '',
  ].join('\n');
  return { source, safetensors: saveSafetensors(model.stateDict()), className };
}
