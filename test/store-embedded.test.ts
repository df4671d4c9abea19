import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openEmbeddedStore, restoreStore, type EmbeddedStore } from '../src/store/embedded/index.js';
import { StoreError } from '../src/store/graph-store.js';
import { openStore } from '../src/store/open-store.js';
import { JENA } from './helpers/shared.js';

const G = (n: number | string) => `https://example.org/graphs/${n}`;
const quad = (s: string, o: string, g: string) => `<https://example.org/s/${s}> <https://example.org/p> "${o}" <${g}> .\n`;

const dirs: string[] = [];
const open: EmbeddedStore[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'syndb-store-'));
  dirs.push(d);
  return d;
}
async function openS(dataDir: string, extra: Partial<Parameters<typeof openEmbeddedStore>[0]> = {}) {
  const warnings: string[] = [];
  const s = await openEmbeddedStore({ dataDir, logger: { warn: (m) => warnings.push(m) }, ...extra });
  open.push(s);
  return Object.assign(s, { warnings });
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function count(s: EmbeddedStore, graph?: string): Promise<number> {
  const rows = await s.select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }', graph ? { namedGraphs: [graph] } : {});
  return Number(rows[0].n.value);
}

async function expectStoreError(p: Promise<unknown>, code: StoreError['code'], message?: RegExp): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected StoreError ${code}`).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe(code);
  if (message) expect((e as StoreError).message).toMatch(message);
  return e as StoreError;
}

describe('embedded store: durability', () => {
  it('answers from the first replica after a snapshot reopen; the second loads behind it and ends up with every write', async () => {
    const dir = tmp();
    const s = await openS(dir, { workers: 2 });
    const lines = Array.from({ length: 2000 }, (_, i) => quad(`r${i}`, String(i), G(1))).join('');
    await s.transact([{ op: 'add', nquads: lines }]);
    await s.close(); // snapshot
    const s2 = await openS(dir, { workers: 2 });
    // open resolves with one replica serving; a write made now must reach the one still loading
    expect(s2.health().replicas.filter((r) => r.state === 'serving').length).toBeGreaterThanOrEqual(1);
    await s2.transact([{ op: 'add', nquads: quad('late', 'x', G(2)) }]);
    expect(await count(s2)).toBe(2001);
    for (let i = 0; i < 400 && s2.health().replicas.filter((r) => r.state === 'serving').length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(s2.health().replicas.map((r) => r.state)).toEqual(['serving', 'serving']);
    // each replica answers (queries go to the least-loaded free replica: ask both at once, twice over)
    const counts = await Promise.all(Array.from({ length: 4 }, () => count(s2)));
    expect(counts).toEqual([2001, 2001, 2001, 2001]);
    expect(await s2.dumpGraph(G(2))).toContain('late');
  });

  it('keeps everything across close and reopen (snapshot at close) and across a reopen without compaction', async () => {
    const dir = tmp();
    const s = await openS(dir);
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) + quad('b', '2', G(1)) }]);
    await s.transact([{ op: 'add', nquads: quad('c', 'ünïcode \\"q\\"\\n', G(2)) }, { op: 'delete', nquads: quad('b', '2', G(1)) }]);
    const before = (await s.dumpGraph(G(1))) + (await s.dumpGraph(G(2)));
    expect(await s.graphs()).toEqual([G(1), G(2)]);
    await s.close();
    expect(existsSync(join(dir, 'LOCK'))).toBe(false);

    const s2 = await openS(dir, { compactOnClose: false });
    expect((await s2.dumpGraph(G(1))) + (await s2.dumpGraph(G(2)))).toBe(before);
    expect(await s2.stats()).toMatchObject({ quads: 2, graphs: 2, journalBytes: 0 });
    await s2.transact([{ op: 'clear', graph: G(1) }]);
    await s2.close(); // no compaction: the clear lives only in the journal
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    expect(statSync(join(dir, m.journals[0].file)).size).toBeGreaterThan(0);

    const s3 = await openS(dir);
    expect(await s3.graphs()).toEqual([G(2)]);
    expect(await s3.dumpGraph(G(2))).toContain('ünïcode');
  });

  it('compacts when the journal passes the threshold and replays correctly afterwards', async () => {
    const dir = tmp();
    const s = await openS(dir, { compactBytes: 2000, compactOnClose: false });
    for (let i = 0; i < 40; i++) await s.transact([{ op: 'add', nquads: quad(`n${i}`, String(i), G(i % 4)) }]);
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    expect(m.snapshot.lsn).toBeGreaterThan(0); // at least one compaction happened
    expect(m.journals).toHaveLength(1);
    expect(m.snapshot.files.length).toBe(4);
    // only the files the manifest names remain
    expect(readdirSync(dir).sort()).toEqual(['MANIFEST', m.journals[0].file, m.snapshot.dir].sort());
    const s2 = await openS(dir);
    expect(await count(s2)).toBe(40);
  });

  it('opens a store stopped in the middle of a compaction (two journals, leftover snapshot)', async () => {
    const dir = tmp();
    const s = await openS(dir, { compactOnClose: false });
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    await s.close();
    // simulate: rotation done (manifest names both journals), new snapshot half written, then a crash
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    writeFileSync(join(dir, 'journal-000002.log'), '');
    m.journals.push({ file: 'journal-000002.log', firstLsn: 2 });
    writeFileSync(join(dir, 'MANIFEST'), JSON.stringify(m));
    const half = join(dir, 'snapshot-000002');
    mkdirSync(half);
    writeFileSync(join(half, '000001.nq'), '<https://example.org/s/a> <https://example.org/p> "1" <http'); // cut short
    const unrelated = mkdtempSync(join(dir, 'x')); // not ours: left alone
    const s2 = await openS(dir, { compactOnClose: false });
    expect(s2.warnings.join('\n')).toMatch(/removing leftover snapshot-000002/);
    expect(existsSync(half)).toBe(false);
    expect(existsSync(unrelated)).toBe(true);
    await s2.transact([{ op: 'add', nquads: quad('b', '2', G(1)) }]);
    await s2.close();
    const s3 = await openS(dir);
    expect(await count(s3)).toBe(2);
    await s3.close();
    const m3 = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    expect(m3.journals).toHaveLength(1);
    expect(m3.snapshot.lsn).toBe(2);
  });

  it('detects and discards a torn tail: appended garbage and a record cut in the middle', async () => {
    const dir = tmp();
    const s = await openS(dir, { compactOnClose: false });
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    await s.transact([{ op: 'add', nquads: quad('b', '2', G(1)) }]);
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    const jpath = join(dir, m.journals[0].file);
    const good = statSync(jpath).size;

    appendFileSync(jpath, Buffer.from('SDJ1 this is not a record, just garbage from a crash'));
    const s2 = await openS(dir, { compactOnClose: false });
    expect(s2.warnings.join('\n')).toMatch(/torn or corrupt tail of 52 bytes/);
    expect(statSync(jpath).size).toBe(good);
    expect(await count(s2)).toBe(2);
    await s2.close();

    // cut the last record in its payload: that transaction is gone, the first one stays
    truncateSync(jpath, good - 10);
    const s3 = await openS(dir, { compactOnClose: false });
    expect(s3.warnings.join('\n')).toMatch(/incomplete record at byte \d+/);
    expect(await count(s3)).toBe(1);
    await s3.transact([{ op: 'add', nquads: quad('c', '3', G(1)) }]); // appends after the cut point
    await s3.close();

    // flip one payload byte of the last record: checksum mismatch
    const buf = readFileSync(jpath);
    buf[buf.length - 3] ^= 0xff;
    writeFileSync(jpath, buf);
    const s4 = await openS(dir);
    expect(s4.warnings.join('\n')).toMatch(/checksum mismatch/);
    expect(await count(s4)).toBe(1);
  });

  it('refuses to open over a damaged snapshot file, naming the file and the graph', async () => {
    const dir = tmp();
    const s = await openS(dir);
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) + quad('b', '2', G(2)) }]);
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    const f = join(dir, m.snapshot.dir, m.snapshot.files[1].file);
    writeFileSync(f, readFileSync(f, 'utf8').replace('"2"', '"3"'));
    await expectStoreError(openEmbeddedStore({ dataDir: dir, logger: { warn: () => undefined } }), 'corrupt', new RegExp(`snapshot file .*${m.snapshot.files[1].file} \\(graph <${G(2)}>\\) is damaged`));
    expect(existsSync(join(dir, 'LOCK'))).toBe(false); // a failed open releases the lock
  });

  it('refuses to start empty over store files whose MANIFEST is gone; read-only open of a missing directory is an empty store', async () => {
    const dir = tmp();
    const s = await openS(dir);
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    await s.close();
    rmSync(join(dir, 'MANIFEST'));
    await expectStoreError(openEmbeddedStore({ dataDir: dir, logger: { warn: () => undefined } }), 'corrupt', /MANIFEST is missing but the directory holds store files \(journal-000002\.log, snapshot-000002/);
    const ro = await openS(join(dir, 'does-not-exist'), { readOnly: true, workers: 1 });
    expect(await ro.stats()).toEqual({ quads: 0, graphs: 0, journalBytes: 0 });
    expect(existsSync(join(dir, 'does-not-exist'))).toBe(false);
  });

  it('read-only open ignores a torn tail without touching the file and refuses writes', async () => {
    const dir = tmp();
    const s = await openS(dir, { compactOnClose: false });
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    const ro = await openS(dir, { readOnly: true }); // no lock needed while the writer is open
    expect(await count(ro)).toBe(1);
    await expectStoreError(ro.transact([{ op: 'clear', graph: G(1) }]), 'read-only', /read-only/);
    await ro.close();
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    const jpath = join(dir, m.journals[0].file);
    appendFileSync(jpath, 'xx');
    const size = statSync(jpath).size;
    const ro2 = await openS(dir, { readOnly: true });
    expect(ro2.warnings.join('\n')).toMatch(/ignoring a torn or corrupt tail of 2 bytes/);
    expect(statSync(jpath).size).toBe(size);
  });
});

describe('embedded store: writes', () => {
  it('applies a transaction all or nothing: a bad op anywhere changes nothing', async () => {
    const s = await openS(tmp());
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    const before = await s.dumpGraph(G(1));
    const bad: [unknown, RegExp][] = [
      [[{ op: 'clear', graph: G(1) }, { op: 'add', nquads: '_:b0 <https://example.org/p> "x" <https://example.org/g> .' }], /op #2 \(add\): quad 1 .* blank node/],
      [[{ op: 'clear', graph: G(1) }, { op: 'add', nquads: '<https://example.org/s> <https://example.org/p> "x" .' }], /op #2 \(add\): quad <https:\/\/example.org\/s> <https:\/\/example.org\/p> "x" is in the default graph/],
      [[{ op: 'clear', graph: G(1) }, { op: 'add', nquads: quad('z', '1', G(1)) + '<https://example.org/s> <https://example.org/p "x" .' }], /op #2 \(add\): invalid N-Quads: .*line 2/],
      [[{ op: 'delete', nquads: quad('a', '1', G(1)) }, { op: 'clear', graph: 'not an iri' }], /op #2 \(clear\): graph "not an iri" is not an absolute IRI/],
      [[{ op: 'add', nquads: quad('q', '1', G(1)) }, { op: 'rename', graph: G(1) }], /op #2: unknown op "rename"/],
      [[{ op: 'add', nquads: 42 }], /op #1 \(add\): "nquads" must be a string/],
    ];
    for (const [ops, msg] of bad) await expectStoreError(s.transact(ops as never), 'bad-input', msg);
    expect(await s.dumpGraph(G(1))).toBe(before);
    expect(await s.graphs()).toEqual([G(1)]);
    expect((await s.stats()).journalBytes).toBe(statSync(join(s.dataDir, JSON.parse(readFileSync(join(s.dataDir, 'MANIFEST'), 'utf8')).journals[0].file)).size);
    // and a good multi-op transaction: replace a graph, bulk path (> 64 quads into an empty graph)
    const many = Array.from({ length: 100 }, (_, i) => quad(`m${i}`, String(i), G(3))).join('');
    await s.transact([{ op: 'clear', graph: G(1) }, { op: 'add', nquads: quad('new', '1', G(1)) }, { op: 'add', nquads: many + many }]);
    expect(await count(s, G(1))).toBe(1);
    expect(await count(s, G(3))).toBe(100);
  });

  it('a lock keeps a second writer out; a stale lock of a dead process is taken over', async () => {
    const dir = tmp();
    const s = await openS(dir);
    await expectStoreError(openEmbeddedStore({ dataDir: dir }), 'locked', new RegExp(`locked by process ${process.pid}`));
    // another live process holding the lock
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await s.close();
      writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: child.pid, host: (await import('node:os')).hostname(), since: 'now' }));
      await expectStoreError(openEmbeddedStore({ dataDir: dir }), 'locked', new RegExp(`locked by process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    const s2 = await openS(dir);
    expect(s2.warnings.join('\n')).toMatch(new RegExp(`stale lock .* of process ${child.pid}`));
    expect(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')).pid).toBe(process.pid);
    await s2.close();
    await expectStoreError(s2.graphs(), 'closed');
  });

  it('backup -> restore -> backup gives identical sorted N-Quads (plain and gzip)', async () => {
    const dir = tmp();
    const s = await openS(dir);
    const nq =
      quad('a', 'x', G(1)) +
      `<https://example.org/s/b> <https://example.org/p> "chat"@fr <${G(1)}> .\n` +
      `<https://example.org/s/c> <https://example.org/p> "1.5"^^<http://www.w3.org/2001/XMLSchema#double> <${G(2)}> .\n` +
      `<https://example.org/s/d> <https://example.org/p> <https://example.org/o> <${G(3)}> .\n`;
    await s.transact([{ op: 'add', nquads: nq }]);
    const b1 = join(dir, '..', `${dir.split('/').pop()}-b1.nq.gz`);
    dirs.push(b1);
    await s.backup(b1);
    const text1 = gunzipSync(readFileSync(b1)).toString('utf8');
    const sorted = (t: string) => t.split('\n').filter(Boolean).sort().join('\n');
    expect(sorted(text1)).toBe(sorted(nq));

    const other = tmp();
    const o = await openS(other);
    await o.transact([{ op: 'add', nquads: quad('gone', 'x', G(9)) }]);
    await expectStoreError(restoreStore(other, b1), 'locked');
    await o.close();
    expect(await restoreStore(other, b1, { logger: { warn: () => undefined } })).toEqual({ quads: 4, graphs: 3 });
    const r = await openS(other);
    expect(await r.graphs()).toEqual([G(1), G(2), G(3)]);
    const b2 = join(other, '..', `${other.split('/').pop()}-b2.nq`);
    dirs.push(b2);
    await r.backup(b2);
    expect(sorted(readFileSync(b2, 'utf8'))).toBe(sorted(text1));

    const badFile = join(other, '..', `${other.split('/').pop()}-bad.nq`);
    dirs.push(badFile);
    writeFileSync(badFile, '_:x <https://example.org/p> "x" <https://example.org/g> .\n');
    await r.close();
    await expectStoreError(restoreStore(other, badFile), 'bad-input', /blank nodes/);
    const r2 = await openS(other);
    expect(await count(r2)).toBe(4); // a refused restore changes nothing
  });
});

describe('embedded store: files read by an independent parser', () => {
  it('backups (plain and gzip) and snapshot files are N-Quads Apache Jena reads with the same quad count', async () => {
    const dir = tmp();
    const s = await openS(dir);
    const tricky =
      `<https://example.org/s/1> <https://example.org/p> "line\\nbreak \\"quoted\\" tab\\t ünï €"@de-CH <${G(1)}> .\n` +
      `<https://example.org/s/2> <https://example.org/p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> <${G(1)}> .\n` +
      `<https://example.org/s/3?q=a&b=%20#frag> <https://example.org/p> <urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e> <${G(2)}> .\n` +
      `<https://example.org/s/4> <https://example.org/p> "\\u0001 control" <${G(2)}> .\n`;
    await s.transact([{ op: 'add', nquads: tricky }]);
    const plain = join(dir, 'backup.nq');
    const gz = join(dir, 'backup.nq.gz');
    await s.backup(plain);
    await s.backup(gz);
    await s.close();
    const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
    const snaps = m.snapshot.files.map((f: { file: string }) => join(dir, m.snapshot.dir, f.file));
    const r = spawnSync(JENA, ['riot', '--count', plain, gz, ...snaps], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout + r.stderr; // riot reports counts on stderr
    expect(out).not.toMatch(/ERROR|WARN/);
    const counts = [...out.matchAll(/Quads = (\d+)/g)].map((x) => Number(x[1]));
    expect(counts).toEqual([4, 4, 2, 2]);
  }, 200_000);
});

describe('embedded store: queries', () => {
  it('honours defaultGraph / namedGraphs, result formats and reports bad queries with the position', async () => {
    const s = await openS(tmp(), { maxResultBytes: 4000 });
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) + quad('b', '2', G(2)) + quad('c', '3', G(3)) }]);
    const q = 'SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o';
    expect(await s.select(q)).toEqual([]); // the store's own default graph is empty
    expect((await s.select(q, { defaultGraph: [G(1), G(3)] })).map((b) => b.o.value)).toEqual(['1', '3']);
    // the caller's dataset wins over FROM in the query
    expect((await s.select(`SELECT ?o FROM <${G(2)}> WHERE { ?s ?p ?o }`, { defaultGraph: [G(1)] })).map((b) => b.o.value)).toEqual(['1']);
    expect((await s.select('SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g', { namedGraphs: [G(2)] })).map((b) => b.g.value)).toEqual([G(2)]);
    expect(await s.ask('PREFIX ex: <https://example.org/> # a comment\nASK { GRAPH ?g { ex:s\\/a ?p "1" } }'.replace('ex:s\\/a', '<https://example.org/s/a>'))).toBe(true);

    const csv = await s.query(q, { defaultGraph: [G(1)], format: 'text/csv' });
    expect(csv).toEqual({ kind: 'bindings', contentType: 'text/csv', body: 'o\r\n1\r\n' });
    const ttl = await s.query('CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }', { namedGraphs: [G(1)], format: 'ttl' });
    expect(ttl.kind).toBe('graph');
    expect(ttl.contentType).toBe('text/turtle');
    expect(ttl.body).toContain('<https://example.org/s/a> <https://example.org/p> "1"');
    const nt = await s.query('BASE <https://example.org/>\nDESCRIBE <s/b>', { defaultGraph: [G(2)] });
    expect(nt).toMatchObject({ kind: 'graph', contentType: 'application/n-triples' });
    expect(nt.body).toBe('<https://example.org/s/b> <https://example.org/p> "2" .\n');
    expect(await s.query('ASK {}', { format: 'xml' })).toMatchObject({ kind: 'boolean', contentType: 'application/sparql-results+xml' });

    await expectStoreError(s.query('SELECT * WHERE { ?s ?p }'), 'bad-query', /^error at 1:25: /);
    await expectStoreError(s.query(q, { format: 'text/turtle' }), 'bad-query', /result format "text\/turtle" is not available for SELECT queries; expected one of application\/sparql-results\+json/);
    await expectStoreError(s.query(q, { defaultGraph: ['no iri'] }), 'bad-query', /QueryOptions.defaultGraph\[0\]/);
    const big = Array.from({ length: 200 }, (_, i) => quad(`big${i}`, 'x'.repeat(20), G(4))).join('');
    await s.transact([{ op: 'add', nquads: big }]);
    await expectStoreError(s.query('SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }'), 'too-large', /exceeds the limit of 4000 bytes/);
    expect(await count(s)).toBe(203); // small results still fine
  });

  it('ends a slow query with a timeout while the event loop ticks, other requests are served, and no data is lost', async () => {
    const s = await openS(tmp(), { workers: 2 });
    const rows = Array.from({ length: 3000 }, (_, i) => quad(`r${i}`, String(i), G('big'))).join('');
    await s.transact([{ op: 'add', nquads: rows }]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const started = Date.now();
    const slow = s.query('SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }', { defaultGraph: [G('big')], timeoutMs: 1500 });
    const slowDone = slow.then(
      () => 'finished',
      (e: StoreError) => e,
    );
    // meanwhile: another query and a write are served by the other replica
    const quick = await s.select('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }', { defaultGraph: [G('big')] });
    expect(quick[0].n.value).toBe('3000');
    await s.transact([{ op: 'add', nquads: quad('during', 'slow query', G('other')) }]);
    const quickAt = Date.now() - started;
    const err = await slowDone;
    clearInterval(timer);
    const elapsed = Date.now() - started;
    expect(quickAt).toBeLessThan(1500);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('timeout');
    expect((err as StoreError).message).toMatch(/timeout of 1500 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(1490);
    expect(elapsed).toBeLessThan(5000);
    expect(ticks).toBeGreaterThan(elapsed / 10 / 3); // the main loop was never blocked for long
    // the store keeps everything, including the write made during the slow query, on every replica
    for (let i = 0; i < 4; i++) {
      const [a, b] = await Promise.all([count(s, G('big')), count(s, G('other'))]);
      expect([a, b]).toEqual([3000, 1]);
    }
    expect(s.warnings.join('\n')).toMatch(/ran past its timeout/);
  });
});

describe('openStore', () => {
  it('opens the embedded store from a service config and refuses unknown backends clearly', async () => {
    const dir = tmp();
    const s = await openStore({ store: 'embedded', dataDir: dir, queryTimeoutMs: 5000 }, { logger: { warn: () => undefined } });
    await s.transact([{ op: 'add', nquads: quad('a', '1', G(1)) }]);
    expect(await s.graphs()).toEqual([G(1)]);
    await s.close();
    await expectStoreError(openStore({ store: 'mysql://x', dataDir: dir }), 'unavailable', /SYNDB_STORE="mysql:\/\/x" is not understood/);
  });
});
