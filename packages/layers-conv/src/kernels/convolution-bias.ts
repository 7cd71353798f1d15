/**
 * The convolution's bias gradient kernel: the output gradient summed per
 * channel. No autograd in here: a tensor in, a new contiguous tensor out.
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';

type FloatArray = Float32Array | Float64Array;

/** The bias gradient: gradOutput [N, O, ...] summed over everything but the channels → [O]. */
export function convolutionBackwardBiasKernel(gradOutput: Tensor): Tensor {
  const batch = gradOutput.shape[0]!;
  const channels = gradOutput.shape[1]!;
  let volume = 1;
  for (let d = 2; d < gradOutput.shape.length; d++) volume *= gradOutput.shape[d]!;
  const dy = gradOutput.contiguousData() as FloatArray;
  const result = allocate(gradOutput.dtype, channels) as FloatArray;
  if (dy instanceof Float32Array) sumPlanesFloat32(dy, result as Float32Array, batch, channels, volume);
  else sumPlanesFloat64(dy, result as Float64Array, batch, channels, volume);
  return Tensor.fromData(result, [channels]);
}

/**
 * Σ over samples and positions of each channel's planes. The planes are
 * read in memory order (sample by sample), each summed in four running sums
 * (float64) so that the additions do not wait on each other, and added to
 * its channel's total: on the CNN's [64, 32, 26, 26] a single pass the
 * prefetcher follows, where channel by channel jumped between samples.
 */
function sumPlanesFloat32(dy: Float32Array, result: Float32Array, batch: number, channels: number, volume: number): void {
  const tail = volume & 3;
  const totals = new Float64Array(channels);
  let start = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++, start += volume) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const end = start + volume - tail;
      let i = start;
      for (; i < end; i += 4) {
        s0 += dy[i]!;
        s1 += dy[i + 1]!;
        s2 += dy[i + 2]!;
        s3 += dy[i + 3]!;
      }
      for (; i < start + volume; i++) s0 += dy[i]!;
      totals[c]! += s0 + s1 + (s2 + s3);
    }
  }
  for (let c = 0; c < channels; c++) result[c] = totals[c]!;
}

/** {@link sumPlanesFloat32} for float64, kept apart so each loop sees one array type. */
function sumPlanesFloat64(dy: Float64Array, result: Float64Array, batch: number, channels: number, volume: number): void {
  const tail = volume & 3;
  for (let c = 0; c < channels; c++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * volume;
      const end = start + volume - tail;
      let i = start;
      for (; i < end; i += 4) {
        s0 += dy[i]!;
        s1 += dy[i + 1]!;
        s2 += dy[i + 2]!;
        s3 += dy[i + 3]!;
      }
      for (; i < start + volume; i++) s0 += dy[i]!;
    }
    result[c] = s0 + s1 + (s2 + s3);
  }
}
