import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { selectWorkloads, workloads } from './index.js';

const workloadsDocument = fileURLToPath(new URL('../../../../../shared/bench/WORKLOADS.md', import.meta.url));
const peerScript = fileURLToPath(new URL('../../python/peer.py', import.meta.url));

/** The ids in the first column of WORKLOADS.md's table (`matmul_256 / matmul_512 / ...` is three). */
function documentedIds(markdown: string): string[] {
  const ids: string[] = [];
  for (const line of markdown.split('\n')) {
    const firstCell = /^\|([^|]+)\|/.exec(line)?.[1]?.trim();
    if (firstCell === undefined || firstCell === 'id' || /^-+$/.test(firstCell)) continue;
    ids.push(...firstCell.split('/').map((id) => id.trim()));
  }
  return ids;
}

const registeredIds = workloads.map((workload) => workload.id);

describe('the workload registry', () => {
  it('holds each id once', () => {
    expect(new Set(registeredIds).size).toBe(registeredIds.length);
  });

  it.skipIf(!existsSync(workloadsDocument))('uses only ids of WORKLOADS.md, in its order', () => {
    const documented = documentedIds(readFileSync(workloadsDocument, 'utf8'));
    expect(documented).toContain('matmul_1024');
    expect(documented).toContain('fashion_mnist_epoch');
    for (const id of registeredIds) expect(documented).toContain(id);
    const positions = registeredIds.map((id) => documented.indexOf(id));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it('has the same ids as the PyTorch peer script', () => {
    const script = readFileSync(peerScript, 'utf8');
    const pythonIds = [...script.matchAll(/^@workload\("([a-z0-9_]+)"\)$/gm)].map((match) => match[1]);
    expect(pythonIds.sort()).toEqual([...registeredIds].sort());
  });

  it('counts 2n³ FLOP for the square matrix products', () => {
    const flops = Object.fromEntries(workloads.map((workload) => [workload.id, workload.flop]));
    expect(flops.matmul_256).toBe(33_554_432);
    expect(flops.matmul_512).toBe(268_435_456);
    expect(flops.matmul_1024).toBe(2_147_483_648);
  });
});

describe('selectWorkloads', () => {
  it('selects all for no ids (those that take minutes only with full), and the named ones in registry order', () => {
    const quick = workloads.filter((workload) => !workload.onlyOnRequest).map((workload) => workload.id);
    expect(quick).not.toContain('fashion_mnist_epoch');
    expect(selectWorkloads(undefined).map((workload) => workload.id)).toEqual(quick);
    expect(selectWorkloads([], true).map((workload) => workload.id)).toEqual(registeredIds);
    expect(selectWorkloads(['fashion_mnist_epoch']).map((workload) => workload.id)).toEqual(['fashion_mnist_epoch']);
    expect(selectWorkloads(['matmul_1024', 'matmul_256']).map((workload) => workload.id)).toEqual(['matmul_256', 'matmul_1024']);
  });

  it('throws RangeError naming an unknown id and the known ones', () => {
    expect(() => selectWorkloads(['matmul_999'])).toThrow(
      new RangeError(`bench: unknown workload matmul_999; expected one of ${registeredIds.join(', ')}`),
    );
  });
});
