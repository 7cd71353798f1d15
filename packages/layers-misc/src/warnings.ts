/**
 * PyTorch's `warnings.warn` for deprecated-but-accepted inputs (a 3-D input
 * to `dropout2d`, softmax without a dim): the input is handled as PyTorch
 * handles it, and the warning is shown once per message, like Python's
 * default warning filter.
 */

const shown = new Set<string>();

/** Where warnings go: `process.emitWarning` on Node.js, `console.warn` elsewhere; replaceable for tests. */
let sink: (message: string) => void = (message) => {
  const emit = (globalThis as { process?: { emitWarning?: (warning: string, type?: string) => void } }).process?.emitWarning;
  if (typeof emit === 'function') emit(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
};

/** Shows `message` the first time it comes, like Python's `warnings.warn` with the default filter. */
export function warnOnce(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  sink(message);
}

/**
 * Replaces where warnings go and forgets which were shown (for tests);
 * returns the previous sink.
 */
export function setWarningSink(next: (message: string) => void): (message: string) => void {
  const previous = sink;
  sink = next;
  shown.clear();
  return previous;
}
