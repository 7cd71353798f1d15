import type { CoreKernelSignatures } from './kernel-signatures.js';

/**
 * The kernel registry: every op calls its kernel by name through here, so a
 * faster backend registers the same names and nothing above it changes.
 *
 * `KernelRegistry` maps each kernel name to its signature. Packages that add
 * kernels extend it by declaration merging:
 *
 * ```ts
 * declare module '@strata/tensor/backend' {
 *   interface KernelRegistry { conv2d: (input: Tensor, weight: Tensor) => Tensor }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KernelRegistry extends CoreKernelSignatures {}

/** A name some package registered a kernel under. */
export type KernelName = keyof KernelRegistry;

/** How a kernel is registered. */
export interface RegisterKernelOptions {
  /**
   * The backend that provides it (`'cpu'` for the built-in TypeScript kernels).
   * @defaultValue `'cpu'`
   */
  backend?: string;
  /**
   * Whether this registration replaces a kernel another backend registered
   * under the same name. Registering a name twice without it is an error.
   * @defaultValue `false`
   */
  override?: boolean;
}

interface Registration {
  backend: string;
  implementation: unknown;
}

const registrations = new Map<string, Registration[]>();

/**
 * Registers `implementation` as the kernel for `name`. The last backend to
 * register a name is the active one; `unregisterKernel` makes the previous
 * one active again.
 * @throws Error when `name` already has a kernel and `override` is not set, or
 * when the same backend registers the name twice.
 * @example
 * ```ts
 * import { registerKernel, unregisterKernel } from '@strata/tensor/backend';
 * registerKernel('exp', fastExp, { backend: 'wasm', override: true });
 * exp(x);                          // runs fastExp
 * unregisterKernel('exp', 'wasm'); // back to the CPU kernel
 * ```
 */
export function registerKernel<K extends KernelName>(
  name: K,
  implementation: KernelRegistry[K],
  options: RegisterKernelOptions = {},
): void {
  const backend = options.backend ?? 'cpu';
  const stack = registrations.get(name) ?? [];
  if (stack.some((registration) => registration.backend === backend)) {
    throw new Error(`registerKernel: backend '${backend}' already registered a kernel named '${String(name)}'`);
  }
  if (stack.length > 0 && options.override !== true) {
    throw new Error(
      `registerKernel: a kernel named '${String(name)}' is already registered by backend '${stack[stack.length - 1]!.backend}'; pass { override: true } to replace it`,
    );
  }
  stack.push({ backend, implementation });
  registrations.set(name, stack);
}

/**
 * Removes the kernel a backend registered for `name`; the previous one (if
 * any) becomes active again.
 */
export function unregisterKernel(name: KernelName, backend: string): void {
  const stack = registrations.get(name);
  if (stack === undefined) return;
  const index = stack.findIndex((registration) => registration.backend === backend);
  if (index >= 0) stack.splice(index, 1);
  if (stack.length === 0) registrations.delete(name);
}

/**
 * The active kernel for `name`: the last backend's registration.
 * @throws Error when no kernel of that name is registered.
 */
export function getKernel<K extends KernelName>(name: K): KernelRegistry[K] {
  const stack = registrations.get(name);
  if (stack === undefined || stack.length === 0) {
    throw new Error(`getKernel: no kernel named '${String(name)}' is registered`);
  }
  return stack[stack.length - 1]!.implementation as KernelRegistry[K];
}

/** The backend whose kernel is active for `name`, or `null` if none is. */
export function kernelBackend(name: KernelName): string | null {
  const stack = registrations.get(name);
  return stack === undefined || stack.length === 0 ? null : stack[stack.length - 1]!.backend;
}

/** Every registered kernel name, sorted. */
export function listKernels(): string[] {
  return [...registrations.keys()].sort();
}
