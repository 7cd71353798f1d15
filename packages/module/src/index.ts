/**
 * Modules for Strata: `Module`, `Parameter`, the containers, `init`, state
 * dicts and safetensors. Node.js file helpers live in `@strata/module/node`.
 *
 * @packageDocumentation
 */
export { Parameter } from './parameter.js';
export { Module } from './module.js';
export type { NumParametersOptions, RegisterBufferOptions, ZeroGradOptions } from './module-options.js';
export type { LoadStateDictOptions, LoadStateDictResult, StateDictOptions } from './state-dict.js';
export { ModuleDict, ModuleList, Sequential } from './containers.js';
export * as init from './init.js';
export {
  type FanMode,
  type KaimingOptions,
  type Nonlinearity,
  type OrthogonalOptions,
  type RandomInitOptions,
  type TruncNormalOptions,
  type XavierOptions,
  calculateFanInAndFanOut,
  calculateGain,
  constant_,
  dirac_,
  eye_,
  kaimingNormal_,
  kaimingUniform_,
  normal_,
  ones_,
  orthogonal_,
  truncNormal_,
  uniform_,
  xavierNormal_,
  xavierUniform_,
  zeros_,
} from './init.js';
export {
  type SafetensorsDType,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
  type SaveSafetensorsOptions,
  loadSafetensors,
  readSafetensorsMetadata,
  saveSafetensors,
} from './safetensors.js';
export { checkOptionNames, describeOption } from './option-checks.js';
export { formatPythonBool, formatPythonFloat, formatPythonNumber, formatPythonTuple } from './python-repr.js';
