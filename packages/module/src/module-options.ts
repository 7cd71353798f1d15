/** Options of `Module.registerBuffer`. */
export interface RegisterBufferOptions {
  /**
   * Whether the buffer is part of `stateDict()`.
   * @defaultValue `true`
   */
  persistent?: boolean;
}

/** Options of `Module.zeroGrad`. */
export interface ZeroGradOptions {
  /**
   * Set each gradient to `null` (PyTorch 2's default) rather than filling it with zeros.
   * @defaultValue `true`
   */
  setToNone?: boolean;
}

/** Options of `Module.numParameters`. */
export interface NumParametersOptions {
  /**
   * Count only parameters with `requiresGrad`.
   * @defaultValue `false`
   */
  trainableOnly?: boolean;
}
