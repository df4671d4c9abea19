/**
 * Bulk download: the latest published tables of several datasets as one tar.gz (POSIX ustar,
 * written here; gzip by node:zlib) with manifest.json (datasets, versions, tables, row counts,
 * SHA-256 and size of every file, BibTeX citation of each dataset) and README.txt.
 *
 * Each table is first spooled to a temp file (a tar header needs the size before the content),
 * hashed on the way; then the archive is streamed: README.txt, manifest.json, the CSV files.
 * Memory stays bounded by one page of rows. Datasets the caller may not read are reported like
 * datasets that do not exist, and never named.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { NotFoundError } from '../model/problems.js';
import { TableService } from './tables.js';
import { InputError, type Problem } from '../model/problems.js';
import { findCompartment, COMPARTMENTS } from '../model/compartment-names.js';
import { SLUG } from '../model/iris.js';
import { parseRdf } from '../util/rdf.js';
import { guardedWriteStream } from '../util/guarded-write-stream.js';
import { datasetCitation, renderCitation } from '../publish/citation/index.js';
import { datasetDois } from '../publish/dois.js';

export const MAX_ARCHIVE_DATASETS = 200;

export interface ArchiveRequest { datasets: string[]; compartments?: string[] }

export interface ManifestFile { path: string; bytes: number; sha256: string }
export interface ManifestTable extends ManifestFile { compartment: string; rows: number; graph: string }
export interface ManifestDataset { id: string; title: string; version: number; iri: string; landingPage: string; citation: { bibtex: string }; tables: ManifestTable[] }
export interface Manifest {
  format: 'syndb-archive/1';
  created: string;
  publisher: string;
  request: { datasets: string[]; compartments: string[] | null };
  datasets: ManifestDataset[];
  files: ManifestFile[];
}

/** Parse and check the request: dataset ids (slugs, at most MAX_ARCHIVE_DATASETS) and compartment names. */
export function parseArchiveRequest(input: { datasets?: unknown; compartments?: unknown }): { datasets: string[]; compartments?: string[] } {
  const problems: Problem[] = [];
  const list = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return (v as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    problems.push({ path: field, value: JSON.stringify(v).slice(0, 200), message: `${field} is a comma-separated list or a JSON array of strings`, severity: 'Violation' });
    return undefined;
  };
  const ds = [...new Set(list(input.datasets, 'datasets') ?? [])];
  if (!ds.length && !problems.length) problems.push({ path: 'datasets', message: 'name the datasets to download: ?datasets=a,b,c (or {"datasets": [...]})', severity: 'Violation' });
  if (ds.length > MAX_ARCHIVE_DATASETS) problems.push({ path: 'datasets', value: String(ds.length), message: `at most ${MAX_ARCHIVE_DATASETS} datasets per archive`, severity: 'Violation' });
  for (const d of ds) if (!SLUG.test(d)) problems.push({ path: 'datasets', value: d, message: 'a dataset id is 2-63 characters a-z 0-9 - starting with a letter or digit', severity: 'Violation' });
  const cs = list(input.compartments, 'compartments');
  const slugs: string[] = [];
  for (const c of cs ?? []) {
    const f = findCompartment(c);
    if (!f) problems.push({ path: 'compartments', value: c, message: `not a compartment; the compartments are: ${COMPARTMENTS.map((x) => x.slug).join(', ')}`, severity: 'Violation' });
    else if (!slugs.includes(f.slug)) slugs.push(f.slug);
  }
  if (problems.length) throw new InputError('The archive request is not valid', problems, 400);
  return { datasets: ds, compartments: cs ? slugs : undefined };
}

interface Planned { id: string; version: number; title: string; graph: string; tables: Array<{ compartment: string; graph: string }> }

export class ArchiveService {
  private readonly tables: TableService;
  constructor(readonly ctx: ServiceContext) { this.tables = new TableService(ctx); }

  /** What the archive will hold; throws (before anything is written) when a dataset is unknown/unreadable or has nothing to give. */
  plan(req: ArchiveRequest, caller: Caller): Planned[] {
    const missing: string[] = [];
    const unpublished: string[] = [];
    const out: Planned[] = [];
    for (const id of req.datasets) {
      const e = this.ctx.catalog.entries.get(id);
      if (!e || !this.ctx.catalog.canRead(e, caller)) { missing.push(id); continue; }
      const v = this.ctx.catalog.latest(e);
      if (v === undefined) { unpublished.push(id); continue; }
      const have = e.tables.get(String(v)) ?? [];
      const comps = (req.compartments ?? [...have].sort()).filter((c) => have.includes(c));
      out.push({ id, version: v, title: e.title, graph: this.ctx.iris.version(id, v), tables: comps.map((c) => ({ compartment: c, graph: this.ctx.iris.table(id, v, c) })) });
    }
    if (missing.length) {
      const found = out.map((p) => p.id).concat(unpublished);
      throw new NotFoundError(`${missing.length} of the ${req.datasets.length} requested datasets ${missing.length === 1 ? 'was' : 'were'} not found (no such dataset, or not visible to you); nothing was sent${found.length ? `. Found: ${found.join(', ')}` : ''}`);
    }
    if (unpublished.length) throw new NotFoundError(`no published version yet of: ${unpublished.join(', ')}; archives hold published tables only`);
    return out;
  }

  /** Write the tar.gz to `out` (e.g. an HTTP response). Call plan() first to fail before any byte is sent. */
  async write(plan: Planned[], req: ArchiveRequest, out: Writable): Promise<Manifest> {
    const dir = join(this.ctx.config.dataDir, 'tmp', `archive-${randomUUID()}`);
    mkdirSync(dir, { recursive: true });
    try {
      const datasets: ManifestDataset[] = [];
      const files: Array<ManifestFile & { local: string }> = [];
      for (const p of plan) {
        const quads = parseRdf(await this.ctx.store.dumpGraph(p.graph), 'application/n-quads');
        const doi = (await datasetDois(this.ctx.store, this.ctx.iris.concept(p.id))).versions[p.version];
        const bibtex = renderCitation([datasetCitation(quads, p.graph, { publisher: this.ctx.config.publisher, doi })], { format: 'bibtex' }, `${p.id}-v${p.version}`).body;
        const tables: ManifestTable[] = [];
        for (const t of p.tables) {
          const local = join(dir, `${files.length}.csv`);
          const path = `${p.id}/v${p.version}/${t.compartment}.csv`;
          const hash = createHash('sha256');
          let bytes = 0;
          // a full or failing disk rejects here (503 before any byte is sent), never crashes the process
          const ws = guardedWriteStream(local);
          try {
            await this.tables.download(t.graph, async (chunk) => {
              const b = Buffer.from(chunk, 'utf8');
              hash.update(b); bytes += b.length;
              await ws.write(b);
            });
            await ws.end();
          } catch (err) {
            ws.destroy();
            throw err;
          }
          const rows = (await this.tables.description(t.graph)).rows;
          const f = { path, bytes, sha256: hash.digest('hex'), local };
          files.push(f);
          tables.push({ compartment: t.compartment, rows, graph: t.graph, path, bytes, sha256: f.sha256 });
        }
        datasets.push({ id: p.id, title: p.title, version: p.version, iri: p.graph, landingPage: p.graph, citation: { bibtex }, tables });
      }
      const readme = Buffer.from(readmeText(datasets), 'utf8');
      const manifest: Manifest = {
        format: 'syndb-archive/1', created: new Date().toISOString(), publisher: this.ctx.config.publisher,
        request: { datasets: req.datasets, compartments: req.compartments ?? null },
        datasets,
        files: [{ path: 'README.txt', bytes: readme.length, sha256: createHash('sha256').update(readme).digest('hex') }, ...files.map(({ path, bytes, sha256 }) => ({ path, bytes, sha256 }))],
      };
      const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
      const tar = new PassThrough();
      const done = pipeline(tar, createGzip(), out);
      const mtime = Math.floor(Date.now() / 1000);
      const put = async (b: Buffer) => { if (!tar.write(b)) await once(tar, 'drain'); };
      const entry = async (name: string, data: Buffer) => { await put(tarHeader(`syndb-archive/${name}`, data.length, mtime)); await put(data); await put(padding(data.length)); };
      await entry('README.txt', readme);
      await entry('manifest.json', manifestBytes);
      for (const f of files) {
        await put(tarHeader(`syndb-archive/${f.path}`, f.bytes, mtime));
        for await (const chunk of createReadStream(f.local)) await put(chunk as Buffer);
        await put(padding(f.bytes));
      }
      tar.end(Buffer.alloc(1024)); // two zero blocks end the archive
      await done;
      return manifest;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function readmeText(datasets: ManifestDataset[]): string {
  const lines = [
    'SynDB Graph table archive',
    '',
    'Analysis-ready compartment tables of connectomics datasets, one CSV file per table, at',
    '<dataset id>/v<version>/<compartment>.csv (the latest published version of each dataset).',
    'manifest.json lists every dataset with its version, title, landing page and BibTeX citation,',
    'every table with its row count, and every file with its size in bytes and SHA-256.',
    'Check the files with: sha256sum <file> (compare with manifest.json "files").',
    'Please cite each dataset you use (see manifest.json, "citation").',
    '',
    'Contents:',
    ...datasets.flatMap((d) => [`- ${d.id} version ${d.version}: ${d.title} (${d.landingPage})`, ...d.tables.map((t) => `    ${t.path}: ${t.rows} rows`), ...(d.tables.length ? [] : ['    (no tables of the requested compartments)'])]),
    '',
  ];
  return lines.join('\n');
}

const padding = (size: number) => Buffer.alloc((512 - (size % 512)) % 512);

/** A POSIX ustar header block for a regular file (names longer than 100 bytes are split into prefix/name). */
export function tarHeader(path: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  let name = path, prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100 || Buffer.byteLength(path.slice(0, cut)) > 155) throw new Error(`path too long for ustar: ${path}`);
    prefix = path.slice(0, cut); name = path.slice(cut + 1);
  }
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (size >= 8 ** 11) throw new Error(`file too large for ustar: ${size} bytes`);
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('syndb', 265, 32, 'ascii');
  h.write('syndb', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}
