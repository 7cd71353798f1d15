/**
 * The CNN of the benchmark list (shared/bench/WORKLOADS.md, "The CNN"), as
 * examples/fashion-mnist builds it: two convolution blocks and a two-layer
 * classifier for 28×28 grey images, about 225,000 parameters.
 */
import { Conv2d, MaxPool2d } from '@strata/layers-conv';
import { Dropout, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { BatchNorm2d } from '@strata/layers-norm';
import { Sequential } from '@strata/module';

/** A new, randomly initialized CNN (seed with `manualSeed` first). */
export function createCnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3),
    new BatchNorm2d(64),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dropout(0.25),
    new Linear(1600, 128),
    new ReLU(),
    new Linear(128, 10),
  );
}
