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

/** Every registration of each name, oldest first. */
const registrations = new Map<string, Registration[]>();
/** The active registration of each name, recomputed on every change so `getKernel` is one lookup. */
const active = new Map<string, Registration>();
/** The backend `useBackend` put first, or `null` for "the last registration wins". */
let preferredBackend: string | null = null;

function resolve(stack: readonly Registration[]): Registration | undefined {
  if (preferredBackend !== null) {
    const preferred = stack.find((registration) => registration.backend === preferredBackend);
    if (preferred !== undefined) return preferred;
  }
  return stack[stack.length - 1];
}

function refresh(name: string): void {
  const stack = registrations.get(name);
  const chosen = stack === undefined ? undefined : resolve(stack);
  if (chosen === undefined) active.delete(name);
  else active.set(name, chosen);
}

/**
 * Registers `implementation` as the kernel for `name`. The last backend to
 * register a name is the active one (unless `useBackend` prefers another);
 * `unregisterKernel` makes the previous one active again.
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
  refresh(name);
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
  refresh(name);
}

/**
 * The active kernel for `name`: the preferred backend's (see `useBackend`),
 * else the last registration.
 * @throws Error when no kernel of that name is registered.
 */
export function getKernel<K extends KernelName>(name: K): KernelRegistry[K] {
  const registration = active.get(name);
  if (registration === undefined) {
    throw new Error(`getKernel: no kernel named '${String(name)}' is registered`);
  }
  return registration.implementation as KernelRegistry[K];
}

/**
 * The kernel for `name` that would be active if `backend` had not registered
 * one: what a backend hands a call it declines (a product too small to gain
 * from it, a dtype it lacks). Ignores `useBackend`: it is the next one down
 * in registration order.
 * @throws Error when `backend` did not register `name`, or nothing lies below it.
 * @example
 * ```ts
 * const fallback = kernelBelow('gemm', 'wasm');
 * registerKernel('gemm', (a, b, options) => small(a, b) ? fallback(a, b, options) : fast(a, b, options),
 *   { backend: 'wasm', override: true });
 * ```
 */
export function kernelBelow<K extends KernelName>(name: K, backend: string): KernelRegistry[K] {
  const stack = registrations.get(name) ?? [];
  const index = stack.findIndex((registration) => registration.backend === backend);
  if (index < 0) throw new Error(`kernelBelow: backend '${backend}' registered no kernel named '${String(name)}'`);
  const below = stack[index - 1];
  if (below === undefined) throw new Error(`kernelBelow: no kernel named '${String(name)}' is registered below backend '${backend}'`);
  return below.implementation as KernelRegistry[K];
}

/**
 * The backend name of the defaults composed of forward ops: a package that
 * registers a fused kernel (a `*Backward` loop) registers its default under
 * this name first, beneath the fused one, so a backend lacking the fused
 * kernel still runs, and `compositeKernel` finds it.
 */
export const COMPOSITE_BACKEND = 'composite';

/**
 * The default of `name` composed of forward ops (its `composite`
 * registration), whichever backend is active. An op's backward calls it
 * instead of `getKernel(name)` when the backward builds a graph of its own
 * (`createGraph`: autograd runs the backward with grad mode on), because a
 * fused kernel only computes values while the composite's forward ops are
 * recorded, so the gradient can be differentiated again. Every other
 * backward takes the registry's choice, `getKernel(name)`.
 * @throws Error when no composite default of `name` is registered.
 * @example
 * ```ts
 * backward(ctx, gradOutput) {
 *   const kernel = isGradEnabled() ? compositeKernel('attentionSoftmaxBackward') : getKernel('attentionSoftmaxBackward');
 *   return [kernel(gradOutput, output)];
 * }
 * ```
 */
export function compositeKernel<K extends KernelName>(name: K): KernelRegistry[K] {
  const registration = (registrations.get(name) ?? []).find((entry) => entry.backend === COMPOSITE_BACKEND);
  if (registration === undefined) {
    throw new Error(`compositeKernel: no default composed of forward ops is registered for '${String(name)}'`);
  }
  return registration.implementation as KernelRegistry[K];
}

/** The backend whose kernel is active for `name`, or `null` if none is. */
export function backendOf(name: KernelName): string | null {
  return active.get(name)?.backend ?? null;
}

/**
 * The backend whose kernel is active for `name`, or `null` if none is.
 * @deprecated Use `backendOf`, the same function.
 */
export const kernelBackend = backendOf;

/**
 * Makes `backend` the active one for every kernel it registered (kernels it
 * lacks keep their usual one), or, with `null`, returns to the default order:
 * the last registration of each name wins. Returns the backend preferred
 * before, so a caller can restore it.
 * @throws Error when `backend` registered no kernel.
 * @example
 * ```ts
 * const previous = useBackend('cpu'); // the TypeScript reference kernels, float64 sums in every product
 * try { check(model(x)); } finally { useBackend(previous); }
 * ```
 */
export function useBackend(backend: string | null): string | null {
  if (backend !== null && !listBackends().includes(backend)) {
    throw new Error(`useBackend: no backend named '${backend}' registered any kernel; registered: ${listBackends().join(', ')}`);
  }
  const previous = preferredBackend;
  preferredBackend = backend;
  for (const name of registrations.keys()) refresh(name);
  return previous;
}

/** Every registered kernel name, sorted. */
export function listKernels(): string[] {
  return [...registrations.keys()].sort();
}

/** Every backend that registered at least one kernel, sorted (`'cpu'` is the reference). */
export function listBackends(): string[] {
  const backends = new Set<string>();
  for (const stack of registrations.values()) for (const registration of stack) backends.add(registration.backend);
  return [...backends].sort();
}

/** The backends that registered a kernel for `name`, oldest first. */
export function kernelBackends(name: KernelName): string[] {
  return (registrations.get(name) ?? []).map((registration) => registration.backend);
}

/**
 * The kernel `backend` registered for `name`, whether active or not, or
 * `null`: what a conformance suite compares against the CPU reference.
 */
export function kernelOf<K extends KernelName>(name: K, backend: string): KernelRegistry[K] | null {
  const registration = (registrations.get(name) ?? []).find((entry) => entry.backend === backend);
  return registration === undefined ? null : (registration.implementation as KernelRegistry[K]);
}
