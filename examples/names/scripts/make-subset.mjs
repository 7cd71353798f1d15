#!/usr/bin/env node
/**
 * Writes data/words.txt: a deterministic subset of Debian's `wamerican`
 * word list (/usr/share/dict/american-english), so the example runs
 * without the package. Keeps lowercase words of 3 to 10 letters a–z (no
 * capitals, apostrophes or accents), then every k-th one for about 6,000.
 *
 * Usage: `node scripts/make-subset.mjs [path-to-word-list]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const source = process.argv[2] ?? '/usr/share/dict/american-english';
const WANTED = 6000;
const words = readFileSync(source, 'utf8').split('\n').filter((word) => /^[a-z]{3,10}$/.test(word));
const step = Math.max(1, Math.floor(words.length / WANTED));
const subset = words.filter((_, i) => i % step === 0).slice(0, WANTED);
writeFileSync(new URL('../data/words.txt', import.meta.url), `${subset.join('\n')}\n`);
console.log(`data/words.txt: ${subset.length} of ${words.length} words (every ${step}th)`);
