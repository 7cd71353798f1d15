/** The layout conversions between PyTorch's channels-first tensors and TF.js's channels-last ones. */

/** The number of elements of a shape. */
export const product = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);

/**
 * [N, C, ...S] → [N, ...S, C], or back with `toChannelsFirst`: TF.js
 * convolves, pools and normalizes channels-last.
 */
export function channelsLast(data: Float32Array, shape: readonly number[], toChannelsFirst = false): Float32Array {
  const [batch, channels] = [shape[0]!, shape[1]!];
  const volume = product(shape.slice(2));
  const result = new Float32Array(data.length);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < volume; p++) {
        const first = (n * channels + c) * volume + p;
        const last = (n * volume + p) * channels + c;
        if (toChannelsFirst) result[first] = data[last]!;
        else result[last] = data[first]!;
      }
    }
  }
  return result;
}
