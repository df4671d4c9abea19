import { describe, expect, it } from 'vitest';
import { Store } from 'oxigraph';
import { applyOps, parseOps, WriteOpError } from '../src/store/embedded/ops.js';
import { HEADER_BYTES, decodePayload, encodeRecord, scanJournal } from '../src/store/embedded/journal.js';
import { queryKind, resultFormat } from '../src/store/embedded/sparql.js';
import { dumpGraph } from '../src/store/embedded/snapshot.js';

const g = (n: number) => `https://example.org/g${n}`;
const q = (s: string, n: number) => `<https://example.org/${s}> <https://example.org/p> "${s}" <${g(n)}> .\n`;

function sortedDump(store: Store): string {
  return store.dump({ format: 'application/n-quads' }).split('\n').sort().join('\n');
}

describe('applyOps', () => {
  it('undoes every earlier step when a later step fails midway (clear, delete, add, bulk add)', () => {
    const store = new Store();
    store.load(q('a', 1) + q('b', 1) + q('c', 2), { format: 'application/n-quads' });
    const before = sortedDump(store);
    const bulk = Array.from({ length: 100 }, (_, i) => q(`bulk${i}`, 3)).join('');
    const ops = parseOps([
      { op: 'clear', graph: g(1) },
      { op: 'delete', nquads: q('c', 2) },
      { op: 'add', nquads: q('d', 2) + q('a', 1) },
      { op: 'add', nquads: bulk },
      { op: 'add', nquads: q('e', 4) },
    ]);
    // sabotage the last op after validation: its text no longer parses when it is bulk-loaded
    const last = ops[3];
    if (last.op !== 'add') throw new Error('unexpected');
    ops.push({ ...last, graphs: [g(5)], nquads: '<https://example.org/broken' });
    expect(() => applyOps(store, ops)).toThrow();
    expect(sortedDump(store)).toBe(before);
    // without the sabotaged op everything applies
    applyOps(store, ops.slice(0, 5));
    expect(dumpGraph(store, g(1))).toBe(q('a', 1));
    expect(dumpGraph(store, g(2))).toBe(q('d', 2));
    expect(store.size).toBe(1 + 1 + 100 + 1);
  });

  it('rejects bad input with the op number and the reason', () => {
    expect(() => parseOps('x')).toThrow(WriteOpError);
    expect(() => parseOps([{ op: 'add', nquads: '<https://e/s> <https://e/p> _:o <https://e/g> .' }])).toThrow(/op #1 \(add\): quad 1 .*blank node/);
    expect(() => parseOps([{ op: 'delete', nquads: '<< <https://e/s> <https://e/p> _:o >> <https://e/p> "x" <https://e/g> .' }])).toThrow(/blank node/);
    expect(() => parseOps([{ op: 'clear' }])).toThrow(/op #1 \(clear\): "graph" must be a non-empty absolute IRI string, got undefined/);
  });
});

describe('journal records', () => {
  it('round-trips and stops at a torn, corrupt or out-of-sequence record', () => {
    const r1 = encodeRecord(8, [{ op: 'clear', graph: g(1) }]);
    const r2 = encodeRecord(9, [{ op: 'add', nquads: q('a', 1) }]);
    const ok = scanJournal(Buffer.concat([r1, r2]), 7);
    expect(ok).toMatchObject({ validBytes: r1.length + r2.length, lastLsn: 9, problem: undefined });
    expect(decodePayload(ok.records[1].payload)).toEqual([{ op: 'add', nquads: q('a', 1) }]);
    expect(scanJournal(Buffer.concat([r1, r2.subarray(0, 20)]), 7)).toMatchObject({ validBytes: r1.length, lastLsn: 8, problem: expect.stringMatching(/incomplete record header/) });
    expect(scanJournal(Buffer.concat([r1, r2.subarray(0, HEADER_BYTES + 3)]), 7).problem).toMatch(/incomplete record at byte \d+: payload of \d+ bytes announced, 3 present/);
    const flipped = Buffer.concat([r1, r2]);
    flipped[flipped.length - 1] ^= 1;
    expect(scanJournal(flipped, 7)).toMatchObject({ validBytes: r1.length, problem: expect.stringMatching(/checksum mismatch/) });
    expect(scanJournal(Buffer.concat([r2, r1]), 8)).toMatchObject({ validBytes: r2.length, problem: expect.stringMatching(/sequence number 8, expected 10/) });
    expect(scanJournal(r1, 0)).toMatchObject({ validBytes: 0, problem: expect.stringMatching(/sequence number 8, expected 1/) });
  });
});

describe('query form and formats', () => {
  it('reads the query form after the prologue', () => {
    expect(queryKind('PREFIX ex: <http://e/#x> # c\n BASE <http://b/>\nselect * {}')).toBe('bindings');
    expect(queryKind('# only\nASK {}')).toBe('boolean');
    expect(queryKind('PREFIX : <http://e/>\nCONSTRUCT WHERE { ?s ?p ?o }')).toBe('graph');
    expect(queryKind('DESCRIBE <x>')).toBe('graph');
    expect(queryKind('INSERT DATA {}')).toBeUndefined();
    expect(resultFormat('graph', 'text/turtle; charset=utf-8')).toEqual({ mediaType: 'text/turtle' });
    expect(resultFormat('boolean', undefined)).toEqual({ mediaType: 'application/sparql-results+json' });
    expect(resultFormat('bindings', 'nt')).toEqual({ error: expect.stringMatching(/not available for SELECT queries/) });
  });
});
