import fc from 'fast-check';
import { type DType, Tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors.js';

const DTYPE_ORDER = ['BOOL', 'I32', 'F32', 'F64', 'I64'];

/** A tensor of a random dtype and shape (sizes 0 to 3, rank 0 to 3) with exactly representable values. */
const tensorArbitrary = fc
  .record({
    dtype: fc.constantFrom<DType>('float32', 'float64', 'int32', 'bool'),
    shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) => {
    const count = shape.reduce((product, size) => product * size, 1);
    const value = dtype === 'bool' ? fc.integer({ min: 0, max: 1 }) : dtype === 'int32' ? fc.integer() : fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8);
    return fc.array(value, { minLength: count, maxLength: count }).map((values) => {
      const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'float64' ? Float64Array.from(values) : dtype === 'int32' ? Int32Array.from(values) : Uint8Array.from(values);
      return Tensor.fromData(data, shape);
    });
  });

const stateArbitrary = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((key) => key !== '__metadata__'), tensorArbitrary, { maxKeys: 6 });

describe('safetensors properties', () => {
  it('round-trips any tensors, with offsets that tile the data in the Rust order', () => {
    fc.assert(
      fc.property(stateArbitrary, fc.boolean(), (state, int64) => {
        const bytes = saveSafetensors(state, null, { int64Keys: () => int64 });
        const loaded = loadSafetensors(bytes);
        expect(Object.keys(loaded).sort()).toEqual(Object.keys(state).sort());
        for (const [key, original] of Object.entries(state)) {
          expect(loaded[key]!.dtype).toBe(original.dtype);
          expect(loaded[key]!.shape).toEqual(original.shape);
          expect(Array.from(loaded[key]!.toTypedArray())).toEqual(Array.from(original.toTypedArray()));
        }
        const header = readSafetensorsMetadata(bytes);
        expect(header.dataStart % 8).toBe(0);
        let end = 0;
        let previousOrder = Infinity;
        // Sorted by offset (a JS object lists index-like keys such as '0' first), empty tensors by dtype among equal offsets.
        const infos = Object.values(header.tensors).sort(
          (a, b) =>
            a.dataOffsets[0] - b.dataOffsets[0] ||
            a.dataOffsets[1] - b.dataOffsets[1] ||
            DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype),
        );
        for (const info of infos) {
          expect(info.dataOffsets[0]).toBe(end);
          end = info.dataOffsets[1];
          const order = DTYPE_ORDER.indexOf(info.dtype);
          expect(order).toBeLessThanOrEqual(previousOrder);
          previousOrder = order;
        }
        expect(header.dataStart + end).toBe(bytes.length);
      }),
      { numRuns: 150 },
    );
  });

  it('never reads out of bounds: a corrupted file loads or fails with a loadSafetensors error', () => {
    fc.assert(
      fc.property(
        stateArbitrary,
        fc.array(fc.record({ position: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (state, edits, cut) => {
          const bytes = saveSafetensors(state, { format: 'pt' });
          for (const { position, value } of edits) bytes[position % bytes.length] = value;
          const truncated = bytes.subarray(0, bytes.length - (cut % 3 === 0 ? cut % 16 : 0));
          try {
            loadSafetensors(truncated);
          } catch (error) {
            expect((error as Error).message).toMatch(/^loadSafetensors: /);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
