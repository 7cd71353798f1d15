/**
 * The Fashion-MNIST subset shipped in examples/fashion-mnist, served by the
 * site as static files (scripts/generate.mjs copies them into public/data).
 */
import { type IdxArray, loadIdx } from '@strata/train';

/** The folder of the four gzipped IDX files, relative to the site's base. */
export const FASHION_MNIST_FOLDER = 'data/fashion-mnist/';

/** The images (`[count, 28, 28]` uint8) and labels of one split. */
export interface FashionMnistSplit {
  images: IdxArray;
  labels: IdxArray;
}

/** Fetches and decodes one split; `base` is the site's base URL (`import.meta.env.BASE_URL` or a worker's origin). */
export async function fetchFashionMnist(base: string, split: 'train' | 'test'): Promise<FashionMnistSplit> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const read = async (name: string): Promise<IdxArray> => {
    const response = await fetch(new URL(`${FASHION_MNIST_FOLDER}${prefix}-${name}.gz`, base));
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
    return loadIdx(new Uint8Array(await response.arrayBuffer()));
  };
  const [images, labels] = await Promise.all([read('images-idx3-ubyte'), read('labels-idx1-ubyte')]);
  return { images, labels };
}

/** Image `index` of a split as 784 floats in [0, 1]. */
export function imageOf(split: FashionMnistSplit, index: number): Float32Array {
  const pixels = new Float32Array(784);
  const data = split.images.data as Uint8Array;
  for (let i = 0; i < 784; i++) pixels[i] = data[index * 784 + i]! / 255;
  return pixels;
}
