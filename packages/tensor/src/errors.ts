/**
 * Raised when a tensor's shape does not fit an operation, for example
 * `matmul: shapes [4, 3] and [5, 2] cannot be multiplied (3 != 5)`.
 */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Raised when a tensor's dtype does not fit an operation. */
export class DTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DTypeError';
  }
}

/** Formats a shape as PyTorch-style error messages print it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
