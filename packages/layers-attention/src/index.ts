/**
 * The attention layers for Strata, with their functional forms.
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export { type ResolvedScaleOptions, type ScaleOptions, resolveScaleOptions } from './options.js';
// ---- per-feature scale (scale.ts) ----
export { AttentionScale, attentionScale } from './scale.js';
