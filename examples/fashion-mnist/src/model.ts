import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { Sequential } from '@strata/module';

/** Options of {@link createCnn}. */
export interface CnnOptions {
  /**
   * The dropout rate before the classifier (0 makes training deterministic,
   * as the benchmark's output check needs).
   * @defaultValue 0.25
   */
  dropout?: number;
}

/**
 * The CNN of the benchmark list (shared/bench/WORKLOADS.md, "The CNN"), for
 * 28×28 grey images and 10 classes: two convolution blocks, then a
 * two-layer classifier. About 225,000 parameters.
 *
 * ```
 * Conv2d(1, 32, 3)  -> ReLU -> MaxPool2d(2)                       [N, 32, 13, 13]
 * Conv2d(32, 64, 3) -> BatchNorm2d(64) -> ReLU -> MaxPool2d(2)    [N, 64, 5, 5]
 * Flatten -> Dropout(0.25) -> Linear(1600, 128) -> ReLU -> Linear(128, 10)
 * ```
 */
export function createCnn(options: CnnOptions = {}): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3),
    new BatchNorm2d(64),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(options.dropout ?? 0.25),
    new Linear(1600, 128),
    new ReLU(),
    new Linear(128, 10),
  );
}
