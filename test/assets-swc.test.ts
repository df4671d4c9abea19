/** SWC parsing, checks and summary; the ustar header of the archive writer. */
import { describe, expect, it } from 'vitest';
import { createReadStream, readFileSync } from 'node:fs';
import { checkSwc } from '../src/model/assets/swc.js';
import { assetTypeOf } from '../src/model/assets/media-types.js';

const fixture = (f: string) => new URL(`./fixtures/assets/${f}`, import.meta.url);

describe('SWC', () => {
  it('summarises a valid skeleton (nodes, branch points, cable length, soma), read as a stream', async () => {
    const r = await checkSwc(createReadStream(fixture('neuron.swc')));
    expect(r.problems).toEqual([]);
    // segments: 10 + 10 + 5 + 5 + 12 + 10 = 52; node 1 has children 2 and 4, node 4 has 5 and 7
    expect(r.summary).toMatchObject({ nodeCount: 7, branchPointCount: 2, hasSoma: true, rootCount: 1, types: { 1: 1, 2: 2, 3: 4 } });
    expect(r.summary.cableLength).toBeCloseTo(52, 10);
  });

  it('lists every problem with its line number', async () => {
    const r = await checkSwc(readFileSync(fixture('broken.swc'), 'utf8'));
    const byLine = r.problems.map((p) => [p.line, p.field]);
    expect(byLine).toEqual([[3, 'P'], [4, 'n'], [5, 'x'], [6, 'R'], [7, undefined]]);
    expect(r.problems[0].message).toMatch(/parent 9 of node 2 is not in the file/);
    expect(r.problems[1].message).toMatch(/used already on line 3/);
    expect(r.problems[4].message).toMatch(/expected 7 fields/);
  });

  it('rejects a forest unless allowed, cycles, no nodes, self parents', async () => {
    const forest = '1 1 0 0 0 1 -1\n2 3 1 0 0 1 1\n3 1 5 5 5 1 -1\n';
    expect((await checkSwc(forest)).problems.map((p) => p.line)).toEqual([3]);
    expect((await checkSwc(forest)).problems[0].message).toMatch(/2 roots/);
    const ok = await checkSwc(forest, { allowForest: true });
    expect(ok.problems).toEqual([]);
    expect(ok.summary.rootCount).toBe(2);
    const cycle = '1 1 0 0 0 1 -1\n2 3 1 0 0 1 3\n3 3 2 0 0 1 2\n';
    expect((await checkSwc(cycle)).problems[0].message).toMatch(/cycle/);
    expect((await checkSwc('# only a comment\n')).problems[0].message).toMatch(/no nodes/);
    expect((await checkSwc('1 1 0 0 0 1 1\n')).problems[0].message).toMatch(/its own parent/);
    // a parent later in the file is accepted; custom types (> 7) too
    const later = await checkSwc('2 12 1 0 0 1 1\n1 1 0 0 0 1 -1\n');
    expect(later.problems).toEqual([]);
    expect(later.summary).toMatchObject({ nodeCount: 2, hasSoma: true, types: { 12: 1, 1: 1 } });
  });

  it('knows the accepted file types', () => {
    expect(assetTypeOf('a.GLB')).toMatchObject({ kind: 'Mesh', mediaType: 'model/gltf-binary' });
    expect(assetTypeOf('a.swc')).toMatchObject({ kind: 'SkeletonSWC', mediaType: 'text/plain' });
    expect(assetTypeOf('a.tif')).toBeUndefined();
  });
});
