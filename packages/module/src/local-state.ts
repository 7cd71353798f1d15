import type { Tensor } from '@strata/tensor';
import type { Module } from './module.js';
import type { Parameter } from './parameter.js';

/**
 * A module's own registrations, as PyTorch keeps them in `_parameters`,
 * `_buffers` and `_modules`: insertion-ordered, `null` values allowed.
 */
export interface LocalState {
  readonly parameters: ReadonlyMap<string, Parameter | null>;
  readonly buffers: ReadonlyMap<string, Tensor | null>;
  readonly nonPersistentBuffers: ReadonlySet<string>;
  readonly modules: ReadonlyMap<string, Module | null>;
}

/**
 * The key of `Module`'s method that returns its {@link LocalState}, up to
 * date with its fields. The containers and the state-dict functions of this
 * package use it; the package does not export it.
 */
export const localState: unique symbol = Symbol('localState');
