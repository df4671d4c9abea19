/**
 * A full disk under the data directory: every write path (datasets, SPARQL update, Graph Store,
 * assets, archives, compaction, backup) answers 503 "Storage Full" problem+json (or rejects, for
 * the store's own operations), the process stays up, the store is unchanged — in memory and
 * after a restart — and once space is freed every write works again.
 *
 * The data directory is a small tmpfs (24 MB: the store starts with about 6 MB of vocabularies,
 * and a snapshot needs room for a second copy) mounted for this file; where mounting is not allowed
 * (not root, containers without CAP_SYS_ADMIN) the file is skipped with the reason printed.
 * This file checks the embedded store's own data directory; like all of test/chaos/ it is not
 * re-run by the Virtuoso project (vitest.config.ts takes only files directly under test/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, ADMIN_TOKEN, type TestService } from '../helpers/service.js';
import { projectPath } from '../../src/util/paths.js';
import { storageFailure } from '../../src/util/storage-errors.js';
import type { EmbeddedStore } from '../../src/store/embedded/index.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'syndb-diskfull-'));
function tryMount(): string | undefined {
  if (process.env.SYNDB_TEST_STORE === 'virtuoso') return 'this file checks the embedded store\'s data directory';
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (r.error) return `mount could not run: ${r.error.message}`;
  if (r.status !== 0) return `mount -t tmpfs refused: ${(r.stderr || r.stdout).trim() || `exit code ${r.status}`}`;
  return undefined;
}
const skipReason = tryMount();
if (skipReason) {
  console.warn(`[disk-full.test] skipped: ${skipReason}`);
  rmSync(mountPoint, { recursive: true, force: true });
}

const dataDir = join(mountPoint, 'data');
const filler = join(mountPoint, 'filler');
let svc: TestService | undefined;

/** Fill the file system: write until ENOSPC, in ever smaller pieces. */
function fillDisk(): void {
  const fd = openSync(filler, 'a');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Every graph of the store, as sorted N-Quads. */
async function dump(s: TestService): Promise<string> {
  const out: string[] = [];
  for (const g of await s.ctx.store.graphs()) out.push(...(await s.ctx.store.dumpGraph(g)).split('\n').filter(Boolean));
  return out.sort().join('\n');
}

const BIG = 'x'.repeat(6_000); // every write under test is larger than the slack left in a page of the journal
const dataset = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, title: `Disk full ${id}`, description: 'A dataset for the disk-full test.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'], access: 'public', ...extra });
const swc = Array.from({ length: 4000 }, (_, i) => `${i + 1} 3 ${i}.0 0.0 0.0 1.0 ${i === 0 ? -1 : i}`).join('\n') + '\n';
const json = { 'content-type': 'application/json' };

/** Each write path, as the requests a client sends; `expectOk` is the status when the disk has room. */
const writes: Array<{ name: string; ok: number[]; send: (s: TestService) => Promise<Response> }> = [
  { name: 'POST /datasets', ok: [201], send: (s) => s.fetch('/datasets', { method: 'POST', token: ADMIN_TOKEN, headers: json, body: dataset('full-new', { description: `A dataset written while the disk is full. ${BIG}` }) }) },
  { name: 'PUT /datasets/{id}', ok: [200], send: (s) => s.fetch('/datasets/full-draft', { method: 'PUT', token: ADMIN_TOKEN, headers: json, body: dataset('full-draft', { title: 'Disk full, edited', description: `Edited while the disk is full. ${BIG}` }) }) },
  {
    name: 'SPARQL update',
    ok: [200],
    send: (s) => s.fetch('/sparql', { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'application/sparql-update' }, body: `INSERT DATA { GRAPH <http://ex.org/full/u> { <http://ex.org/s> <http://ex.org/p> "${BIG}" } }` }),
  },
  {
    name: 'Graph Store PUT',
    ok: [201],
    send: (s) => s.fetch(`/store?graph=${encodeURIComponent('http://ex.org/full/gsp')}`, { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: `<http://ex.org/s> <http://ex.org/p> "${BIG}" .` }),
  },
  { name: 'asset upload', ok: [201], send: (s) => s.fetch('/datasets/full-draft/assets?filename=cell.swc', { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'application/octet-stream' }, body: swc }) },
  { name: 'publish', ok: [201], send: (s) => s.fetch('/datasets/full-draft/versions', { method: 'POST', token: ADMIN_TOKEN }) },
  { name: 'archive', ok: [200], send: (s) => s.fetch('/archive?datasets=full-pub') },
];

beforeAll(async () => {
  if (skipReason) return;
  mkdirSync(dataDir);
  svc = await startTestService({ examples: false, dataDir });
  const ok = async (r: Promise<Response>, status: number) => {
    const res = await r;
    expect(res.status, await res.clone().text()).toBe(status);
  };
  // a published dataset with a table (for the archive) and a draft (for edits, assets, publishing)
  await ok(svc.fetch('/datasets', { method: 'POST', token: ADMIN_TOKEN, headers: json, body: dataset('full-pub') }), 201);
  await ok(svc.fetch('/datasets/full-pub/tables/neuron', { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'text/csv' }, body: readFileSync(projectPath('examples', 'syndb-style', 'neuron.csv'), 'utf8') }), 201);
  await ok(svc.fetch('/datasets/full-pub/versions', { method: 'POST', token: ADMIN_TOKEN }), 201);
  await ok(svc.fetch('/datasets', { method: 'POST', token: ADMIN_TOKEN, headers: json, body: dataset('full-draft') }), 201);
}, 240_000);

afterAll(async () => {
  if (skipReason) return;
  await svc?.stop().catch(() => undefined);
  const r = spawnSync('umount', [mountPoint], { encoding: 'utf8' });
  if (r.status !== 0) console.warn(`[disk-full.test] umount ${mountPoint}: ${r.stderr}`);
  rmSync(mountPoint, { recursive: true, force: true });
}, 120_000);

describe('storage failures map to 503 problems', () => {
  it('ENOSPC, EDQUOT, EROFS and EIO are recognised, also inside a store error or a worker message; other errors are not', () => {
    const sys = (code: string) => Object.assign(new Error(`${code}: failed, write`), { code });
    expect(storageFailure(sys('ENOSPC'))?.title).toBe('Storage Full');
    expect(storageFailure(sys('EDQUOT'))?.title).toBe('Storage Full');
    expect(storageFailure(sys('EROFS'))?.title).toBe('Storage Read-Only');
    expect(storageFailure(sys('EIO'))?.title).toBe('Storage I/O Error');
    expect(storageFailure(new Error('wrapped', { cause: sys('EROFS') }))?.errno).toBe('EROFS');
    expect(storageFailure(new Error('the write could not be made durable (journal j): ENOSPC: no space left on device, write'), true)?.errno).toBe('ENOSPC');
    // text in a message counts only for errors that crossed a worker or store boundary (never for user input echoed back)
    expect(storageFailure(new Error('syntax error near "ENOSPC"'))).toBeUndefined();
    expect(storageFailure(sys('ENOENT'))).toBeUndefined();
  });
});

describe.skipIf(!!skipReason)('a full disk under the data directory', () => {
  it('every write path answers 503 Storage Full, the process stays up and the store is unchanged; after freeing space every write works', async () => {
    const s = svc!;
    const before = await dump(s);
    const beforeFiles = readdirSync(dataDir).sort();
    fillDisk();
    for (const w of writes) {
      const res = await w.send(s);
      const body = await res.text();
      expect(res.status, `${w.name}: ${body}`).toBe(503);
      expect(res.headers.get('content-type'), w.name).toMatch(/application\/problem\+json/);
      const p = JSON.parse(body) as { title: string; detail: string; errno: string };
      expect(p.title, w.name).toBe('Storage Full');
      expect(p.errno).toBe('ENOSPC');
      expect(p.detail).toMatch(/nothing was stored/);
      expect(res.headers.get('retry-after')).toBe('60');
      expect((await s.fetch('/health')).status, `alive after ${w.name}`).toBe(200);
    }
    // the store's own writes: a snapshot (compaction) and a backup fail cleanly, leaving no partial files
    const store = s.ctx.store as EmbeddedStore;
    await expect(store.compact()).rejects.toThrow(/ENOSPC/);
    await expect(store.backup(join(mountPoint, 'backup.nq'))).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(mountPoint).filter((n) => n.includes('backup'))).toEqual([]);
    expect(readdirSync(dataDir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    // nothing changed, in memory; reads and the catalog still answer
    expect(await dump(s)).toBe(before);
    expect((await s.fetch('/datasets/full-new', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await s.fetch(`/sparql?query=${encodeURIComponent('ASK { GRAPH ?g { ?s ?p ?o } }')}`, { headers: { accept: 'application/sparql-results+json' } })).status).toBe(200);

    // nothing changed on disk either: a restart (after freeing space, which the start needs for its lock) shows the same store
    await s.stop();
    rmSync(filler);
    svc = await startTestService({ examples: false, dataDir });
    expect(await dump(svc)).toBe(before);
    expect(readdirSync(join(dataDir, 'assets')).filter((n) => !n.startsWith('.'))).toEqual([]);
    // nothing new but empty directories (a store file of the next generation aside)
    const added = readdirSync(dataDir).filter((n) => !beforeFiles.includes(n) && !/^(snapshot-|journal-)/.test(n));
    for (const n of added) expect(readdirSync(join(dataDir, n)), `${n} after the failed writes`).toEqual([]);

    // with room again every write succeeds
    for (const w of writes) {
      const res = await w.send(svc);
      expect(w.ok, `${w.name}: ${res.status} ${await res.clone().text().then((t) => t.slice(0, 300))}`).toContain(res.status);
      await res.arrayBuffer();
    }
    await (svc.ctx.store as EmbeddedStore).compact();
    await svc.ctx.store.backup(join(mountPoint, 'backup.nq'));
    expect(existsSync(join(mountPoint, 'backup.nq'))).toBe(true);
    expect(await dump(svc)).not.toBe(before);
    expect((await svc.fetch('/datasets/full-new', { token: ADMIN_TOKEN })).status).toBe(200);
  });
});
