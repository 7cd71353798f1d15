/**
 * Strata in one import: every `@strata/*` package re-exported.
 *
 * Install the packages you need one by one for the smallest footprint; this
 * umbrella is for scripts, notebooks and quick starts. Importing it installs
 * autograd (gradients work at once).
 *
 * @example
 * ```ts
 * import { Conv2d, Linear, Sequential, ReLU, Flatten, randn } from '@strata/nn';
 *
 * const net = new Sequential(new Conv2d(1, 8, 3), new ReLU(), new Flatten(), new Linear(8 * 26 * 26, 10));
 * net.forward(randn([4, 1, 28, 28])).shape; // [4, 10]
 * ```
 *
 * @packageDocumentation
 */
// Both @strata/tensor (in-place fills) and @strata/module (initializers) export
// these names; an explicit re-export settles the ambiguity in the tensor
// package's favour. The initializers stay reachable as `init.uniform_`, `init.normal_`.
export { normal_, uniform_ } from '@strata/tensor';
// ---- every @strata package (written by scripts/sync-packages.mjs; do not edit by hand) ----
export * from '@strata/tensor';
export * from '@strata/autograd';
export * from '@strata/module';
export * from '@strata/layers-misc';
export * from '@strata/layers-norm';
export * from '@strata/layers-attention';
export * from '@strata/layers-conv';
export * from '@strata/layers-recurrent';
export * from '@strata/losses';
export * from '@strata/optim';
export * from '@strata/train';
// ---- end of the packages ----
