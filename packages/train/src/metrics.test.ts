import { ShapeError, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Accuracy, ConfusionMatrix, MeanLoss, TopKAccuracy, formatConfusionMatrix } from './metrics.js';

const labels = (values: number[]) => tensor(values, { dtype: 'int32' });

// Four samples, three classes; the rows' argmaxes are 1, 0, 2, 2.
const scores = tensor([
  [0.1, 0.7, 0.2],
  [0.6, 0.3, 0.1],
  [0.2, 0.3, 0.5],
  [0.1, 0.4, 0.5],
]);
const targets = labels([1, 0, 0, 1]);

describe('Accuracy', () => {
  it('counts rows whose argmax is the target, across batches', () => {
    const accuracy = new Accuracy();
    expect(accuracy.compute()).toBeNaN();
    accuracy.update(scores, targets); // rows 0 and 1 right: 2 / 4
    expect(accuracy.compute()).toBe(0.5);
    accuracy.update(tensor([[0, 1, 0]]), labels([1])); // 3 / 5
    expect(accuracy.compute()).toBe(0.6);
    accuracy.reset();
    expect(accuracy.compute()).toBeNaN();
  });

  it('takes probability / one-hot targets by their largest entry, and breaks score ties toward the first class', () => {
    const accuracy = new Accuracy();
    accuracy.update(tensor([[0.5, 0.5], [0.2, 0.8]]), tensor([[1, 0], [0.3, 0.7]]));
    expect(accuracy.compute()).toBe(1);
  });

  it('rejects shapes that do not fit and targets out of range', () => {
    const accuracy = new Accuracy();
    expect(() => accuracy.update(tensor([1, 2]), labels([0, 1]))).toThrow(
      new ShapeError('Accuracy: expected output of shape [N, C] (class scores), got [2]'),
    );
    expect(() => accuracy.update(scores, labels([0, 1]))).toThrow(
      new ShapeError('Accuracy: expected target of shape [4] (class indices) or [4, 3] (probabilities) for output [4, 3], got [2]'),
    );
    expect(() => accuracy.update(scores, labels([0, 1, 3, 0]))).toThrow(new RangeError('Accuracy: target 3 at index 2 is out of range for 3 classes'));
    expect(accuracy.compute()).toBeNaN();
  });
});

describe('TopKAccuracy', () => {
  it('counts targets among the k highest scores', () => {
    const top2 = new TopKAccuracy(2);
    expect(top2.name).toBe('top2Accuracy');
    // target scores 0.7 (rank 1), 0.6 (1), 0.2 (3), 0.4 (2): three of four in the top 2.
    top2.update(scores, targets);
    expect(top2.compute()).toBe(0.75);
    const top3 = new TopKAccuracy(3);
    top3.update(scores, targets);
    expect(top3.compute()).toBe(1);
  });

  it('counts a tie with the k-th score in the sample’s favour', () => {
    const top1 = new TopKAccuracy(1);
    top1.update(tensor([[0.5, 0.5, 0]]), labels([1]));
    expect(top1.compute()).toBe(1);
  });

  it('rejects k < 1 and k above the class count', () => {
    expect(() => new TopKAccuracy(0)).toThrow(new RangeError('TopKAccuracy: k must be a positive integer, got 0'));
    expect(() => new TopKAccuracy(4).update(scores, targets)).toThrow(new RangeError('TopKAccuracy: k = 4 exceeds the number of classes 3'));
  });
});

describe('ConfusionMatrix', () => {
  it('counts (true, predicted) pairs, rows the truth', () => {
    const confusion = new ConfusionMatrix(3);
    confusion.update(scores, targets);
    // (1 -> 1), (0 -> 0), (0 -> 2), (1 -> 2)
    expect(confusion.compute()).toEqual([
      [1, 0, 1],
      [0, 1, 1],
      [0, 0, 0],
    ]);
    confusion.reset();
    expect(confusion.compute().flat().every((count) => count === 0)).toBe(true);
  });

  it('rejects output with another class count', () => {
    expect(() => new ConfusionMatrix(4).update(scores, targets)).toThrow(
      new ShapeError('ConfusionMatrix: expected output with 4 classes (shape [N, 4]), got [4, 3]'),
    );
    expect(() => new ConfusionMatrix(0)).toThrow(RangeError);
  });

  it('formats as a table with each row’s recall (names padded to the header cell, counts to 4 characters)', () => {
    const text = formatConfusionMatrix(
      [
        [3, 1],
        [0, 0],
      ],
      ['cat', 'dog'],
    );
    expect(text.split('\n')).toEqual(['true \\ predicted    0    1  recall', '0 cat               3    1  0.750', '1 dog               0    0     —']);
  });
});

describe('MeanLoss', () => {
  it('weights each batch’s mean loss by its size', () => {
    const mean = new MeanLoss();
    mean.record(1, 3);
    mean.record(3, 1);
    expect(mean.compute()).toBe(1.5); // (1·3 + 3·1) / 4
  });

  it('computes the loss itself when given one', () => {
    const mean = new MeanLoss((output, target) => output.sub(target).abs().mean());
    mean.update(tensor([[1], [2]]), tensor([[0], [0]])); // 1.5 over 2
    mean.update(tensor([[4]]), tensor([[0]])); // 4 over 1
    expect(mean.compute()).toBeCloseTo((1.5 * 2 + 4) / 3, 6);
    expect(() => new MeanLoss().update(tensor([[1]]), tensor([[1]]))).toThrow(
      'MeanLoss: update needs a loss function (new MeanLoss(loss)); without one, call record(value, count)',
    );
  });
});
