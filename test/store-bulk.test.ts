/**
 * Bulk ops of the embedded store: 'load' (an N-Triples file loaded straight into a graph, kept by
 * reference + SHA-256 in the journal until the next snapshot) and 'copy' (graph to graph inside the
 * store, with an IRI prefix rewrite).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore, restoreStore, type EmbeddedStore } from '../src/store/embedded/index.js';
import { readFileSync } from 'node:fs';
import { StoreError } from '../src/store/graph-store.js';

const G = (n: string) => `https://example.org/graphs/${n}`;
const dirs: string[] = [];
const opened: EmbeddedStore[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'syndb-bulk-'));
  dirs.push(d);
  return d;
}
async function openS(dataDir: string, extra: Partial<Parameters<typeof openEmbeddedStore>[0]> = {}) {
  const warnings: string[] = [];
  const s = await openEmbeddedStore({ dataDir, logger: { warn: (m) => warnings.push(m) }, ...extra });
  opened.push(s);
  return Object.assign(s, { warnings });
}
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.SYNDB_STORE_WORKERS;
  delete process.env.SYNDB_SNAPSHOT_PART_QUADS;
});

async function count(s: EmbeddedStore, graph: string): Promise<number> {
  const rows = await s.select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }', { namedGraphs: [graph] });
  return Number(rows[0].n.value);
}
async function expectStoreError(p: Promise<unknown>, code: StoreError['code'], message?: RegExp): Promise<StoreError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected StoreError ${code}`).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe(code);
  if (message) expect((e as StoreError).message).toMatch(message);
  return e as StoreError;
}
const triples = (n: number, tag: string) => Array.from({ length: n }, (_, k) => `<https://example.org/r/${k}> <https://example.org/v> "${tag} ${k}" .\n`).join('');
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('embedded store: bulk load', () => {
  it('loads a file into a graph, takes the file over, journals it by reference and replays it', async () => {
    const dir = tmp();
    const s = await openS(join(dir, 'data'), { compactOnClose: false });
    const file = join(dir, 'rows.nt');
    const text = triples(5000, 'a');
    writeFileSync(file, text);
    await s.transact([{ op: 'clear', graph: G('t') }, { op: 'load', graph: G('t'), file, sha256: sha(text) }, { op: 'add', nquads: `<${G('t')}> <https://example.org/rows> "5000" <${G('t')}> .\n` }]);
    expect(await count(s, G('t'))).toBe(5001);
    // both replicas have it (each answers in turn; run enough queries to reach both)
    for (let i = 0; i < 4; i++) expect(await count(s, G('t'))).toBe(5001);
    expect(existsSync(file), 'the store took the file over').toBe(false);
    expect(readdirSync(join(dir, 'data', 'loads'))).toEqual(['1-2.nt']);
    const journalBytes = (await s.stats()).journalBytes!;
    expect(journalBytes).toBeLessThan(text.length / 10); // not copied into the journal
    await s.close();
    // replay from the journal (no snapshot was written at close)
    const s2 = await openS(join(dir, 'data'));
    expect(await count(s2, G('t'))).toBe(5001);
    expect((await s2.select(`SELECT ?o WHERE { GRAPH <${G('t')}> { <https://example.org/r/4999> ?p ?o } }`))[0].o.value).toBe('a 4999');
    // a compaction puts it in the snapshot and the file goes
    await s2.compact();
    expect(readdirSync(join(dir, 'data', 'loads'))).toEqual([]);
    await s2.close();
    const s3 = await openS(join(dir, 'data'), { workers: 1 });
    expect(await count(s3, G('t'))).toBe(5001);
  });

  it('rejects bad files, a wrong checksum and blank nodes with the file named; nothing changes and the file stays', async () => {
    const dir = tmp();
    const s = await openS(join(dir, 'data'));
    await s.transact([{ op: 'add', nquads: `<https://example.org/x> <https://example.org/p> "keep" <${G('t')}> .\n` }]);
    const bad = join(dir, 'bad.nt');
    writeFileSync(bad, triples(100, 'b') + '<https://example.org/s> <https://example.org/p> "unterminated .\n');
    await expectStoreError(s.transact([{ op: 'clear', graph: G('t') }, { op: 'load', graph: G('t'), file: bad }]), 'bad-input', /bad\.nt is not valid N-Triples/);
    // into the non-empty graph (loaded without a transaction: the replica that tried is rebuilt)
    await expectStoreError(s.transact([{ op: 'load', graph: G('t'), file: bad }]), 'bad-input', /bad\.nt is not valid N-Triples/);
    expect(existsSync(bad)).toBe(true);
    const quads = join(dir, 'quads.nt');
    writeFileSync(quads, `<https://example.org/s> <https://example.org/p> "x" <${G('other')}> .\n`);
    await expectStoreError(s.transact([{ op: 'load', graph: G('u'), file: quads }]), 'bad-input', /not valid N-Triples/);
    const blank = join(dir, 'blank.nt');
    writeFileSync(blank, triples(10, 'c') + '_:b1 <https://example.org/p> "x" .\n');
    await expectStoreError(s.transact([{ op: 'clear', graph: G('t') }, { op: 'load', graph: G('t'), file: blank }]), 'bad-input', /blank node/);
    const good = join(dir, 'good.nt');
    writeFileSync(good, triples(10, 'd'));
    await expectStoreError(s.transact([{ op: 'load', graph: G('t'), file: good, sha256: sha('other') }]), 'bad-input', /has SHA-256 [0-9a-f]{64}, the op says/);
    await expectStoreError(s.transact([{ op: 'load', graph: G('t'), file: join(dir, 'missing.nt') }]), 'bad-input', /missing\.nt cannot be read/);
    await expectStoreError(s.transact([{ op: 'load', graph: G('t'), file: 'relative.nt' }]), 'bad-input', /"file" must be an absolute path/);
    await expectStoreError(s.transact([{ op: 'load', graph: 'not an iri', file: good }]), 'bad-input', /not an absolute IRI/);
    // the graph is as before, in every replica, and the store keeps working
    for (let i = 0; i < 4; i++) {
      const rows = await s.select(`SELECT ?o WHERE { GRAPH <${G('t')}> { ?s ?p ?o } }`);
      expect(rows.map((r) => r.o.value)).toEqual(['keep']);
    }
    expect(await count(s, G('u'))).toBe(0);
    await s.transact([{ op: 'load', graph: G('u'), file: good }]);
    expect(await count(s, G('u'))).toBe(10);
  });

  it('a journal record whose file is missing or damaged makes the store corrupt, not silently smaller', async () => {
    for (const damage of ['missing', 'changed'] as const) {
      const dir = tmp();
      const s = await openS(join(dir, 'data'), { compactOnClose: false, workers: 1 });
      const file = join(dir, 'rows.nt');
      writeFileSync(file, triples(50, 'e'));
      await s.transact([{ op: 'load', graph: G('t'), file }]);
      await s.close();
      const kept = join(dir, 'data', 'loads', '1-1.nt');
      expect(statSync(kept).size).toBeGreaterThan(0);
      if (damage === 'missing') rmSync(kept);
      else appendFileSync(kept, '<https://example.org/extra> <https://example.org/p> "x" .\n');
      await expectStoreError(openS(join(dir, 'data'), { workers: 1 }), 'corrupt', damage === 'missing' ? /1-1\.nt cannot be read/ : /1-1\.nt is damaged/);
    }
  });

  it('removes bulk-load files of transactions that never committed when it opens', async () => {
    const dir = tmp();
    const s = await openS(join(dir, 'data'), { compactOnClose: false, workers: 1 });
    const file = join(dir, 'rows.nt');
    writeFileSync(file, triples(5, 'f'));
    await s.transact([{ op: 'load', graph: G('t'), file }]);
    await s.close();
    writeFileSync(join(dir, 'data', 'loads', '7-1.nt'), triples(5, 'orphan')); // moved in, then a crash before its journal record
    const s2 = await openS(join(dir, 'data'), { workers: 1 });
    expect(readdirSync(join(dir, 'data', 'loads'))).toEqual(['1-1.nt']);
    expect(s2.warnings.join('\n')).toMatch(/removing loads\/7-1\.nt/);
    expect(await count(s2, G('t'))).toBe(5);
  });
});

describe('embedded store: large graphs', () => {
  it('writes a graph too large for one string as several snapshot files and backup pieces, losing nothing', async () => {
    process.env.SYNDB_SNAPSHOT_PART_QUADS = '300'; // pieces of ~300 quads instead of ~1 M
    const dir = tmp();
    const s = await openS(join(dir, 'data'), { workers: 1 });
    const file = join(dir, 'rows.nt');
    writeFileSync(file, triples(2000, 'g'));
    await s.transact([{ op: 'load', graph: G('big'), file }, { op: 'add', nquads: `<https://example.org/a> <https://example.org/p> "small" <${G('small')}> .\n` }]);
    await s.compact();
    const m = JSON.parse(readFileSync(join(dir, 'data', 'MANIFEST'), 'utf8')) as { snapshot: { files: Array<{ graph: string; quads: number }> } };
    const big = m.snapshot.files.filter((f) => f.graph === G('big'));
    expect(big.length).toBeGreaterThanOrEqual(6);
    expect(big.reduce((a, f) => a + f.quads, 0)).toBe(2000);
    const backup = join(dir, 'backup.nq.gz');
    await s.backup(backup);
    await s.close();
    const s2 = await openS(join(dir, 'data'), { workers: 1 });
    expect(await count(s2, G('big'))).toBe(2000);
    await s2.close();
    const r = await restoreStore(join(dir, 'restored'), backup, { logger: { warn: () => undefined } });
    expect(r.quads).toBe(2001);
    const s3 = await openS(join(dir, 'restored'), { workers: 1 });
    expect(await count(s3, G('big'))).toBe(2000);
    expect((await s3.select(`SELECT ?o WHERE { GRAPH <${G('big')}> { <https://example.org/r/1999> ?p ?o } }`))[0].o.value).toBe('g 1999');
  });
});

describe('embedded store: copy', () => {
  it('copies a graph inside the store, moving IRIs under a prefix and nothing else; replays it', async () => {
    const dir = tmp();
    const s = await openS(join(dir, 'data'), { compactOnClose: false });
    const D = 'https://example.org/ds/draft';
    const V = 'https://example.org/ds/1';
    const from = `${D}/tables/synapse`, to = `${V}/tables/synapse`;
    const nq = [
      `<${D}/tables/synapse/rows/1> <https://example.org/inDataset> <${D}> <${from}> .`,
      `<${D}/tables/synapse/rows/1> <https://example.org/parent> <${D}/tables/spine/rows/9> <${from}> .`,
      `<${D}/tables/synapse/rows/1> <https://example.org/note> "see <${D}/x>" <${from}> .`,
      `<${D}#frag> <https://example.org/p> <${D}-other/y> <${from}> .`,
      `<${D}/tables/synapse> <https://example.org/p> <https://elsewhere.org/z> <${from}> .`,
    ].join('\n') + '\n';
    await s.transact([{ op: 'add', nquads: nq }]);
    await s.transact([{ op: 'copy', from, to, rewrite: [D, V] }, { op: 'clear', graph: from }]);
    const dump = (await s.dumpGraph(to)).split('\n').filter(Boolean).sort();
    expect(dump).toEqual([
      `<${V}#frag> <https://example.org/p> <${D}-other/y> <${to}> .`,
      `<${V}/tables/synapse/rows/1> <https://example.org/inDataset> <${V}> <${to}> .`,
      `<${V}/tables/synapse/rows/1> <https://example.org/note> "see <${D}/x>" <${to}> .`,
      `<${V}/tables/synapse/rows/1> <https://example.org/parent> <${V}/tables/spine/rows/9> <${to}> .`,
      `<${V}/tables/synapse> <https://example.org/p> <https://elsewhere.org/z> <${to}> .`,
    ].sort());
    expect(await count(s, from)).toBe(0);
    // a plain copy keeps IRIs as they are
    await s.transact([{ op: 'copy', from: to, to: G('plain') }]);
    const sorted = (t: string) => t.split('\n').filter(Boolean).sort();
    expect(sorted((await s.dumpGraph(G('plain'))).replaceAll(G('plain'), to))).toEqual(sorted(await s.dumpGraph(to)));
    await expectStoreError(s.transact([{ op: 'copy', from: to, to }]), 'bad-input', /"from" and "to" are the same graph/);
    await expectStoreError(s.transact([{ op: 'copy', from: to, to: G('x'), rewrite: [D] as unknown as [string, string] }]), 'bad-input', /"rewrite" must be a pair/);
    await s.close();
    const s2 = await openS(join(dir, 'data'));
    expect((await s2.dumpGraph(to)).split('\n').filter(Boolean).sort()).toEqual(dump);
    expect(await count(s2, G('plain'))).toBe(5);
  });
});

describe('embedded store: workers', () => {
  it('SYNDB_STORE_WORKERS sets the number of replicas; a bad value is refused with the variable named', async () => {
    process.env.SYNDB_STORE_WORKERS = 'two';
    await expectStoreError(openS(tmp()), 'unavailable', /SYNDB_STORE_WORKERS="two" is not understood: expected a whole number/);
    process.env.SYNDB_STORE_WORKERS = '1';
    const s = await openS(tmp());
    expect((s as unknown as { replicas: unknown[] }).replicas).toHaveLength(1);
    await s.transact([{ op: 'add', nquads: `<https://example.org/a> <https://example.org/p> "1" <${G('w')}> .\n` }]);
    expect(await count(s, G('w'))).toBe(1);
  });
});
