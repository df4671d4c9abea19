import { describe, expect, it } from 'vitest';
import { Store } from 'oxigraph';
import { applyOps, checkOps, parseOps, releaseOps, ReplicaPoisonedError, WriteOpError, type CheckedOp } from '../src/store/embedded/ops.js';
import { HEADER_BYTES, decodePayload, decodeRecordPayload, encodeRecord, scanJournal } from '../src/store/embedded/journal.js';
import { queryKind, resultFormat } from '../src/store/query-forms.js';
import { dumpGraph } from '../src/store/embedded/snapshot.js';

const g = (n: number) => `https://example.org/g${n}`;
const q = (s: string, n: number) => `<https://example.org/${s}> <https://example.org/p> "${s}" <${g(n)}> .\n`;

function sortedDump(store: Store): string {
  return store.dump({ format: 'application/n-quads' }).split('\n').sort().join('\n');
}

describe('applyOps', () => {
  it('undoes every earlier step when a later step fails midway (clear, delete, small add, bulk add)', () => {
    const store = new Store();
    store.load(q('a', 1) + q('b', 1) + q('c', 2), { format: 'application/n-quads' });
    const before = sortedDump(store);
    const bulk = Array.from({ length: 100 }, (_, i) => q(`bulk${i}`, 3)).join('');
    const ops = checkOps([
      { op: 'clear', graph: g(1) },
      { op: 'delete', nquads: q('c', 2) },
      { op: 'add', nquads: q('d', 2) + q('a', 1) }, // g2 is not empty: exact per-quad undo
      { op: 'add', nquads: bulk }, // g3 is empty: bulk load, undo = clear g3
      { op: 'add', nquads: q('e', 4) },
    ]);
    expect(ops.map((o) => o.op)).toEqual(['clear', 'delete', 'add', 'add', 'add']);
    // a step that fails after validation (its text no longer parses when it is loaded)
    const sabotaged: CheckedOp[] = [...ops, { op: 'add', nquads: '<https://example.org/broken', graphs: [g(5)], size: 1 }];
    expect(() => applyOps(store, sabotaged)).toThrow();
    expect(sortedDump(store)).toBe(before);
    applyOps(store, ops);
    releaseOps(ops);
    expect(dumpGraph(store, g(1))).toBe(q('a', 1)); // cleared, then re-added by op 3
    expect(dumpGraph(store, g(2))).toBe(q('d', 2));
    expect(store.size).toBe(2 + 100 + 1);
  });

  it('reports a replica that cannot be undone cheaply (big add into a non-empty graph) as poisoned', () => {
    const store = new Store();
    store.load(q('a', 1), { format: 'application/n-quads' });
    const big = Array.from({ length: 2500 }, (_, i) => q(`big${i}`, 1)).join('');
    const ops: CheckedOp[] = [...checkOps([{ op: 'add', nquads: big }]), { op: 'add', nquads: '<https://example.org/broken', graphs: [g(5)], size: 1 }];
    expect(() => applyOps(store, ops)).toThrow(ReplicaPoisonedError);
  });

  it('rejects bad input with the op number and the reason', () => {
    for (const check of [checkOps, parseOps]) {
      expect(() => check('x')).toThrow(WriteOpError);
      expect(() => check([{ op: 'add', nquads: '<https://e/s> <https://e/p> _:o <https://e/g> .' }])).toThrow(/op #1 \(add\): quad 1 .*blank node/);
      expect(() => check([{ op: 'add', nquads: '<https://e/s> <https://e/p> "x" .' }])).toThrow(/op #1 \(add\): quad .*"x" is in the default graph/);
      expect(() => check([{ op: 'delete', nquads: '<< <https://e/s> <https://e/p> _:o >> <https://e/p> "x" <https://e/g> .' }])).toThrow(/blank node/);
      expect(() => check([{ op: 'clear' }])).toThrow(/op #1 \(clear\): "graph" must be a non-empty absolute IRI string, got undefined/);
    }
    // "_:" inside a literal is not a blank node
    const ok = checkOps([{ op: 'add', nquads: '<https://e/s> <https://e/p> "a _:b" <https://e/g> .' }]);
    expect(ok).toEqual([{ op: 'add', nquads: expect.any(String), graphs: ['https://e/g'], size: 1 }]);
  });
});

describe('journal records', () => {
  it('round-trips and stops at a torn, corrupt or out-of-sequence record', () => {
    const r1 = encodeRecord(8, [{ op: 'clear', graph: g(1) }]);
    const r2 = encodeRecord(9, [{ op: 'add', nquads: q('a', 1) }], [{ graphs: [g(1)], size: 1 }]);
    const ok = scanJournal(Buffer.concat([r1, r2]), 7);
    expect(ok).toMatchObject({ validBytes: r1.length + r2.length, lastLsn: 9, problem: undefined });
    expect(decodePayload(ok.records[1].payload)).toEqual([{ op: 'add', nquads: q('a', 1) }]);
    expect(decodeRecordPayload(ok.records[1].payload).meta).toEqual([{ graphs: [g(1)], size: 1 }]);
    expect(decodeRecordPayload(ok.records[0].payload)).toEqual({ ops: [{ op: 'clear', graph: g(1) }] });
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
