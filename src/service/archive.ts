/**
 * Bulk download: the latest published tables of several datasets as one tar.gz (POSIX ustar with
 * pax headers where needed, by tar-stream; gzip by node:zlib) with manifest.json (datasets, versions, tables, row counts,
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
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
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
      // tar-stream writes ustar headers, pax headers for long names and base-256 sizes past 8 GiB
      const tar = pack();
      const done = pipeline(tar, createGzip(), out);
      const mtime = new Date();
      const entry = (name: string, data: Buffer) => new Promise<void>((resolve, reject) => { tar.entry({ name: `syndb-archive/${name}`, size: data.length, mtime }, data, (e) => (e ? reject(e) : resolve())); });
      try {
        await entry('README.txt', readme);
        await entry('manifest.json', manifestBytes);
        for (const f of files) await pipeline(createReadStream(f.local), tar.entry({ name: `syndb-archive/${f.path}`, size: f.bytes, mtime }));
        tar.finalize();
      } catch (err) {
        tar.destroy(err as Error);
      }
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

