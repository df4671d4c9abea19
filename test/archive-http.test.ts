/**
 * Bulk table download: GET/POST /archive -> tar.gz with manifest.json and README.txt, read back
 * with the system tar (independent reader); SHA-256 of every file checked against the manifest;
 * CSVs equal to the single-table downloads; private datasets never revealed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from './helpers/service.js';
import { projectPath } from '../src/util/paths.js';
import type { Manifest } from '../src/service/archive.js';

let svc: TestService;
let alice: string;
const csv = (t: string) => readFileSync(projectPath('examples', 'syndb-style', `${t}.csv`), 'utf8');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  const make = async (id: string, access: string, tables: string[], publish: boolean) => {
    const ds = { id, title: `Archive ${id}`, description: 'Archive test.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: tables, access };
    expect((await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice })).status).toBe(201);
    for (const t of tables) expect((await svc.fetch(`/datasets/${id}/tables/${t}`, { method: 'PUT', body: csv(t), headers: { 'content-type': 'text/csv' }, token: alice })).status).toBe(201);
    if (publish) expect((await svc.fetch(`/datasets/${id}/versions`, { method: 'POST', token: alice })).status).toBe(201);
  };
  await make('arch-one', 'public', ['neuron', 'dendrite'], true);
  await make('arch-two', 'public', ['neuron'], true);
  await make('arch-secret', 'private', ['neuron'], true);
}, 180_000);
afterAll(async () => svc?.stop());

function untar(buf: Buffer): { dir: string; list: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'archive-test-'));
  writeFileSync(join(dir, 'a.tar.gz'), buf);
  const list = execFileSync('tar', ['-tzf', join(dir, 'a.tar.gz')], { encoding: 'utf8' }).split('\n').filter(Boolean);
  execFileSync('tar', ['-xzf', join(dir, 'a.tar.gz'), '-C', dir]);
  return { dir, list };
}

describe('archive', () => {
  it('holds the latest published tables of several datasets, a manifest with hashes and citations, and a README', async () => {
    const res = await svc.fetch('/archive?datasets=arch-one,arch-two');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/gzip');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="syndb-archive-2-datasets\.tar\.gz"/);
    const { dir, list } = untar(Buffer.from(await res.arrayBuffer()));
    try {
      expect(list).toEqual(['syndb-archive/README.txt', 'syndb-archive/manifest.json', 'syndb-archive/arch-one/v1/dendrite.csv', 'syndb-archive/arch-one/v1/neuron.csv', 'syndb-archive/arch-two/v1/neuron.csv']);
      const root = join(dir, 'syndb-archive');
      const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Manifest;
      expect(manifest.datasets.map((d) => [d.id, d.version, d.tables.map((t) => t.compartment)])).toEqual([['arch-one', 1, ['dendrite', 'neuron']], ['arch-two', 1, ['neuron']]]);
      expect(manifest.files.map((f) => f.path)).toEqual(['README.txt', 'arch-one/v1/dendrite.csv', 'arch-one/v1/neuron.csv', 'arch-two/v1/neuron.csv']);
      for (const f of manifest.files) {
        const bytes = readFileSync(join(root, f.path));
        expect(sha(bytes), f.path).toBe(f.sha256);
        expect(bytes.length, f.path).toBe(f.bytes);
      }
      // the CSVs are the single-table downloads, row counts match the data rows
      for (const d of manifest.datasets) {
        for (const t of d.tables) {
          const single = await (await svc.fetch(`/datasets/${d.id}/tables/${t.compartment}`)).text();
          expect(readFileSync(join(root, t.path), 'utf8')).toBe(single);
          expect(t.rows).toBe(single.split('\n').filter(Boolean).length - 1);
        }
        expect(d.citation.bibtex).toMatch(/^@\w+\{/);
        expect(d.citation.bibtex).toContain(`Archive ${d.id}`);
      }
      expect(readFileSync(join(root, 'README.txt'), 'utf8')).toContain('arch-one/v1/neuron.csv');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a search result links to the archive of its published datasets (JSON and the HTML page), and a stranger gets no private one', async () => {
    const r = await svc.fetch('/datasets?q=Archive&sort=title', { headers: { accept: 'application/json' } });
    const body = await r.json() as { datasets: Array<{ id: string }>; links: { archive?: string } };
    expect(body.datasets.map((d) => d.id).sort()).toEqual(['arch-one', 'arch-two']);
    expect(body.links.archive).toMatch(/^\/archive\?datasets=arch-(one|two),arch-(one|two)$/);
    const a = await svc.fetch(body.links.archive!);
    expect(a.status).toBe(200);
    const { dir, list } = untar(Buffer.from(await a.arrayBuffer()));
    rmSync(dir, { recursive: true, force: true });
    expect(list).toContain('syndb-archive/arch-two/v1/neuron.csv');
    const html = await (await svc.fetch('/datasets?q=Archive', { headers: { accept: 'text/html' } })).text();
    expect(html).toMatch(/<a href="\/archive\?datasets=arch-[a-z,-]+" download>Download the tables/);
    const mine = await (await svc.fetch('/datasets?q=Archive', { headers: { accept: 'application/json' }, token: alice })).json() as { links: { archive?: string } };
    expect(mine.links.archive).toContain('arch-secret');
  });

  it('POST with JSON and a compartment filter', async () => {
    const res = await svc.fetch('/archive', { method: 'POST', body: JSON.stringify({ datasets: ['arch-one'], compartments: ['neuron'] }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const { dir, list } = untar(Buffer.from(await res.arrayBuffer()));
    try {
      expect(list).toEqual(['syndb-archive/README.txt', 'syndb-archive/manifest.json', 'syndb-archive/arch-one/v1/neuron.csv']);
      const m = JSON.parse(readFileSync(join(dir, 'syndb-archive', 'manifest.json'), 'utf8')) as Manifest;
      expect(m.request).toEqual({ datasets: ['arch-one'], compartments: ['neuron'] });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('never reveals a private dataset: 404 naming no hidden id; its owner gets it', async () => {
    const res = await svc.fetch('/archive?datasets=arch-one,arch-secret');
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toContain('arch-secret');
    const unknown = await svc.fetch('/archive?datasets=arch-one,arch-nothing');
    expect(unknown.status).toBe(404);
    // the same reply for an unknown id and a hidden one
    expect(((await unknown.json()) as { detail: string }).detail).toBe(JSON.parse(text).detail);
    const own = await svc.fetch('/archive?datasets=arch-secret', { token: alice });
    expect(own.status).toBe(200);
    const { dir, list } = untar(Buffer.from(await own.arrayBuffer()));
    rmSync(dir, { recursive: true, force: true });
    expect(list).toContain('syndb-archive/arch-secret/v1/neuron.csv');
  });

  it('rejects bad requests with specific problems', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/archive', /name the datasets/],
      ['/archive?datasets=arch-one&compartments=brain', /not a compartment/],
      ['/archive?datasets=Bad_Id', /a dataset id is/],
    ];
    for (const [path, re] of cases) {
      const res = await svc.fetch(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { errors: Array<{ message: string }> }).errors.map((e) => e.message).join(' | '), path).toMatch(re);
    }
    const bad = await svc.fetch('/archive', { method: 'POST', body: '[1]', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
  });
});
