import type { Tensor } from '@strata/tensor';
import { localState } from './local-state.js';
import type { Module } from './module.js';
import type { Parameter } from './parameter.js';

/** Walks `path` down the submodules of `root`; errors name `method` and the whole `target`. */
function resolvePath(root: Module, path: readonly string[], target: string, method: string): Module {
  let module = root;
  for (const item of path) {
    const child = module[localState]().modules.get(item);
    if (child === undefined || child === null) {
      if (child === undefined && item in module) {
        throw new Error(`${method}: '${item}' is not a Module (looking up '${target}')`);
      }
      throw new Error(`${method}: ${module.getName()} has no submodule '${item}' (looking up '${target}')`);
    }
    module = child;
  }
  return module;
}

/** See `Module.getSubmodule`. */
export function getSubmodule(root: Module, target: string): Module {
  return target === '' ? root : resolvePath(root, target.split('.'), target, 'getSubmodule');
}

/** See `Module.getParameter`. */
export function getParameter(root: Module, target: string): Parameter {
  const path = target.split('.');
  const name = path.pop()!;
  const module = resolvePath(root, path, target, 'getParameter');
  const parameter = module[localState]().parameters.get(name);
  if (parameter === undefined || parameter === null) {
    throw new Error(`getParameter: ${module.getName()} has no parameter '${name}' (looking up '${target}')`);
  }
  return parameter;
}

/** See `Module.getBuffer`. */
export function getBuffer(root: Module, target: string): Tensor {
  const path = target.split('.');
  const name = path.pop()!;
  const module = resolvePath(root, path, target, 'getBuffer');
  const buffer = module[localState]().buffers.get(name);
  if (buffer === undefined || buffer === null) {
    throw new Error(`getBuffer: ${module.getName()} has no buffer '${name}' (looking up '${target}')`);
  }
  return buffer;
}
