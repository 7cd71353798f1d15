import { describe, expect, it } from 'vitest';
import { appendText, fileSize, readBytes, writeBytes } from './files.js';

// This file does not import './node.js', as a browser program would not.
describe('paths without @strata/train/node', () => {
  it('are refused with the import that enables them', () => {
    const fix = /fit: a file path needs Node\.js's file system.*add import '@strata\/train\/node'.*or pass bytes or a writer/;
    expect(() => readBytes('run.safetensors', 'fit')).toThrow(fix);
    expect(() => writeBytes('run.safetensors', new Uint8Array(1), 'fit')).toThrow(fix);
    expect(() => appendText('log.csv', 'a', 'fit')).toThrow(fix);
    expect(() => fileSize('log.csv', 'fit')).toThrow(fix);
  });
});
