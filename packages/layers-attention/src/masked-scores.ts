/**
 * The first step of the scaled masked softmax when masks are given:
 * `scale · scores + mask₁ + mask₂` written into a new array of the scores'
 * dtype. The masks are read through their broadcast strides, so a `[L, S]`
 * attention mask and a `[N, 1, 1, S]` key-padding mask are never expanded
 * to the scores' shape.
 */
import { type Tensor, type TypedArray, allocate } from '@strata/tensor';

/** A mask seen through the scores' shape: its data, and for each dimension the step (0 where it broadcasts). */
interface MaskView {
  data: TypedArray;
  offset: number;
  strides: number[];
}

function maskView(mask: Tensor, shape: readonly number[]): MaskView {
  const expanded = mask.expand([...shape]);
  return { data: expanded.storage.data, offset: expanded.offset, strides: [...expanded.strides] };
}

/**
 * Whether a tensor's storage holds exactly its elements, in row-major order, so that a kernel told
 * it may overwrite the tensor can write its result there.
 */
export function ownsItsStorage(tensor: Tensor): boolean {
  return tensor.offset === 0 && tensor.storage.data.length === tensor.numel() && tensor.isContiguous();
}

/**
 * `scale · scores + Σ masks`, row-major, of the scores' dtype (each mask broadcasts to the scores'
 * shape); written over the scores' storage with `overwrite` when {@link ownsItsStorage}.
 */
export function scaledMaskedScores(scores: Tensor, scale: number, masks: readonly Tensor[], overwrite = false): TypedArray {
  const shape = scores.shape;
  const width = shape[shape.length - 1]!;
  const leading = shape.slice(0, -1);
  const rows = leading.reduce((total, size) => total * size, 1);
  const data = scores.contiguousData();
  // In place, each element is read before it is written.
  const target = overwrite && ownsItsStorage(scores) ? data : allocate(scores.dtype, data.length);
  const views = masks.map((mask) => maskView(mask, shape));
  for (let j = 0; j < data.length; j++) target[j] = scale * data[j]!;
  // One odometer over the leading dimensions gives each mask's row start.
  const index = new Array<number>(leading.length).fill(0);
  const rowStarts = views.map((view) => view.offset);
  for (let row = 0, start = 0; row < rows; row++, start += width) {
    for (let m = 0; m < views.length; m++) {
      const { data: maskData, strides } = views[m]!;
      const step = strides[strides.length - 1]!;
      for (let j = 0, at = rowStarts[m]!; j < width; j++, at += step) target[start + j] += maskData[at]!;
    }
    for (let d = leading.length - 1; d >= 0; d--) {
      index[d]!++;
      for (let m = 0; m < views.length; m++) rowStarts[m]! += views[m]!.strides[d]!;
      if (index[d]! < leading[d]!) break;
      for (let m = 0; m < views.length; m++) rowStarts[m]! -= views[m]!.strides[d]! * leading[d]!;
      index[d] = 0;
    }
  }
  return target;
}
