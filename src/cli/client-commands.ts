/**
 * `syndb` as a client of a running server (--server URL / SYNDB_URL, --token / SYNDB_TOKEN):
 * datasets (create, edit, patch, validate = dry run, publish, withdraw, delete, list), tables
 * (resumable upload, download, list), assets (multipart upload), exports and citations by
 * Accept, search, SPARQL. Progress goes to stderr; results to stdout.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, ServerRefusal, type Reply } from './http-client.js';
import { FORMAT_MEDIA } from '../http/negotiate.js';
import { formatSearch, searchEntries, type SearchOptions, type SearchPage } from './search-format.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './usage-error.js';
import { Progress } from './progress.js';


export interface Out { json?: boolean }

const err = (s: string) => process.stderr.write(`${s}\n`);
const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const enc = encodeURIComponent;

/** Media type of a dataset description file by its extension. */
export function descriptionType(file: string): string {
  if (file === '-') return 'application/json';
  const e = extname(file).toLowerCase();
  if (e === '.json') return 'application/json';
  if (e === '.jsonld') return 'application/ld+json';
  if (e === '.ttl') return 'text/turtle';
  throw new UsageError(`${file}: unknown file type "${e}"; use .json, .jsonld or .ttl`);
}

function readText(file: string): string {
  if (file === '-') return readFileSync(0, 'utf8');
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  return readFileSync(file, 'utf8');
}

function requireFile(file: string): number {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const st = statSync(file);
  if (!st.isFile()) throw new UsageError(`${file}: not a file`);
  return st.size;
}

async function writeOut(body: Reply['body'], file?: string, progress?: Progress) {
  if (file) {
    const counter = new Transform({ transform(c: Buffer, _e, cb) { progress?.add(c.length); cb(null, c); } });
    await pipeline(body, counter, createWriteStream(file));
    progress?.finish();
    return;
  }
  for await (const c of body) if (!process.stdout.write(c as Buffer)) await once(process.stdout, 'drain');
}

// ---------------------------------------------------------------- progress of bytes on stderr

/** Counts the bytes passing through, and holds them to `rate` bytes per second when given. */
function meter(onBytes: (n: number) => void, rate?: number): Transform {
  const t0 = Date.now();
  let sent = 0;
  return new Transform({
    highWaterMark: 64 * 1024,
    transform(chunk: Buffer, _e, cb) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < chunk.length; i += 64 * 1024) pieces.push(chunk.subarray(i, i + 64 * 1024));
      const next = () => {
        const p = pieces.shift();
        if (!p) return cb();
        const wait = rate ? t0 + ((sent + p.length) / rate) * 1000 - Date.now() : 0;
        const go = () => { sent += p.length; onBytes(p.length); this.push(p); next(); };
        if (wait > 0) setTimeout(go, wait); else go();
      };
      next();
    },
  });
}

/** "2M", "512k", "1048576" -> bytes. */
export function parseBytes(v: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(v);
  if (!m) throw new UsageError(`${what} "${v}": a number of bytes, e.g. 1048576, 512k, 8M, 1G`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const n = Math.floor(Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1));
  if (!(n >= 1)) throw new UsageError(`${what} "${v}" must be at least 1 byte`);
  return n;
}

// ------------------------------------------------------------------------------ datasets

type Json = Record<string, unknown>;
const printResult = (o: Out, data: unknown, line: string) => out(o.json ? JSON.stringify(data, null, 2) : line);

export async function datasetCreate(c: Client, file: string, o: Out & { id?: string; publish?: boolean; dryRun?: boolean }) {
  const type = descriptionType(file);
  const q = new URLSearchParams();
  if (o.id) q.set('id', o.id);
  if (o.publish) q.set('publish', 'true');
  if (o.dryRun) q.set('dryRun', 'true');
  const r = await c.json<Json>('POST', `/datasets${q.size ? `?${q}` : ''}`, { headers: { 'content-type': type }, body: readText(file) });
  if (r.data.dryRun) return printValid(o, file, r.data);
  printResult(o, r.data, `${file}: created ${r.data.id} (${r.data.version ? `version ${r.data.version}` : 'draft'}) ${r.data.iri}`);
  return EXIT.ok;
}

function printValid(o: Out, file: string, data: Json) {
  const warnings = (data.warnings as Array<{ path?: string; message?: string; severity?: string }> | undefined) ?? [];
  printResult(o, data, `${file}: valid (dataset "${data.id}"; nothing stored)${warnings.map((w) => `\n  ! ${w.path ?? ''}: ${w.message ?? ''}`).join('')}`);
  return EXIT.ok;
}

export async function datasetEdit(c: Client, id: string, file: string, o: Out & { ifMatch?: string; dryRun?: boolean }) {
  const r = await c.json<Json>('PUT', `/datasets/${enc(id)}${o.dryRun ? '?dryRun=true' : ''}`, { headers: { 'content-type': descriptionType(file), ...(o.ifMatch ? { 'if-match': o.ifMatch } : {}) }, body: readText(file) });
  if (r.data.dryRun) return printValid(o, file, r.data);
  printResult(o, r.data, `${id}: draft replaced (${r.data.draft})`);
  return EXIT.ok;
}

/** A value of --set KEY=VALUE: JSON when it parses (numbers, arrays, objects, null), else the text. */
function setValue(v: string): unknown {
  try { return JSON.parse(v); } catch { return v; }
}

export async function datasetPatch(c: Client, id: string, file: string | undefined, o: Out & { set?: string[]; unset?: string[]; ifMatch?: string; dryRun?: boolean }) {
  let patch: Json = {};
  if (file) {
    try { patch = JSON.parse(readText(file)) as Json; } catch (e) { if (e instanceof UsageError) throw e; throw new UsageError(`${file}: not JSON (${(e as Error).message})`); }
  }
  for (const kv of o.set ?? []) {
    const i = kv.indexOf('=');
    if (i < 1) throw new UsageError(`--set ${kv}: use --set FIELD=VALUE, e.g. --set title="New title" or --set 'keywords=["a","b"]'`);
    patch[kv.slice(0, i)] = setValue(kv.slice(i + 1));
  }
  for (const k of o.unset ?? []) patch[k] = null;
  if (!Object.keys(patch).length) throw new UsageError('dataset patch needs a FILE with a JSON Merge Patch, or --set FIELD=VALUE / --unset FIELD');
  const r = await c.json<Json>('PATCH', `/datasets/${enc(id)}${o.dryRun ? '?dryRun=true' : ''}`, { headers: { 'content-type': 'application/merge-patch+json', ...(o.ifMatch ? { 'if-match': o.ifMatch } : {}) }, body: JSON.stringify(patch) });
  if (r.data.dryRun) return printValid(o, id, r.data);
  printResult(o, r.data, `${id}: draft patched (${Object.keys(patch).join(', ')})`);
  return EXIT.ok;
}

/** Validate descriptions on the server (dry run of POST, or of PUT with --dataset): nothing is stored. */
export async function datasetValidate(c: Client, files: string[], o: Out & { dataset?: string }) {
  let bad = 0;
  for (const f of files) {
    const type = descriptionType(f);
    const body = readText(f);
    try {
      const r = o.dataset
        ? await c.json<Json>('PUT', `/datasets/${enc(o.dataset)}?dryRun=true`, { headers: { 'content-type': type }, body })
        : await c.json<Json>('POST', '/datasets?dryRun=true', { headers: { 'content-type': type }, body });
      printValid(o, f, r.data);
    } catch (e) {
      if (!(e instanceof ServerRefusal) || e.status !== 422 || files.length === 1) throw e;
      bad++;
      const { formatRefusal } = await import('./http-client.js');
      out(`${f}:\n${formatRefusal(e)}`);
    }
  }
  return bad ? EXIT.refused : EXIT.ok;
}

export async function datasetPublish(c: Client, id: string, o: Out & { notes?: string }) {
  const r = await c.json<Json>('POST', `/datasets/${enc(id)}/versions`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.notes ? { notes: o.notes } : {}) });
  printResult(o, r.data, `${id}: published as version ${r.data.version} (${r.data.iri})`);
  return EXIT.ok;
}

export async function datasetWithdraw(c: Client, id: string, o: Out & { version?: string; reason?: string }) {
  let n = o.version !== undefined ? Number(o.version) : undefined;
  if (n !== undefined && !(Number.isInteger(n) && n >= 1)) throw new UsageError(`--version ${o.version}: a version number (1, 2, …)`);
  if (n === undefined) {
    const v = await c.json<{ versions: Array<{ version: number; withdrawn: boolean }> }>('GET', `/datasets/${enc(id)}/versions`);
    n = v.data.versions.filter((x) => !x.withdrawn).at(-1)?.version;
    if (n === undefined) throw new ServerRefusal(409, { title: 'Conflict', detail: `dataset "${id}" has no published version to withdraw (use "syndb dataset delete" for a dataset that was never published)` }, 'POST', c.url(`/datasets/${id}/versions`));
  }
  const r = await c.json<Json>('POST', `/datasets/${enc(id)}/versions/${n}/withdraw`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(o.reason ? { reason: o.reason } : {}) });
  printResult(o, r.data, `${id}: version ${n} withdrawn (tombstone ${r.data.tombstone})`);
  return EXIT.ok;
}

export async function datasetDelete(c: Client, id: string, o: Out & { reason?: string; ifMatch?: string }) {
  const r = await c.send('DELETE', `/datasets/${enc(id)}`, { accept: 'application/json', headers: { ...(o.reason ? { 'content-type': 'application/json' } : {}), ...(o.ifMatch ? { 'if-match': o.ifMatch } : {}) }, body: o.reason ? JSON.stringify({ reason: o.reason }) : undefined });
  const text = await r.body.text();
  if (r.status === 204) { printResult(o, { id, removed: true }, `${id}: deleted (it was never published)`); return EXIT.ok; }
  const data = JSON.parse(text) as Json;
  printResult(o, data, `${id}: every published version withdrawn, the draft discarded`);
  return EXIT.ok;
}

export async function datasetList(c: Client, o: Out) {
  const all: Array<{ id: string; latestVersion: number | null; title: string; hasDraft: boolean }> = [];
  for (let page = 1; ; page++) {
    const r = await c.json<{ pages: number; datasets: typeof all }>('GET', `/datasets?sort=id&pageSize=100&page=${page}`);
    all.push(...r.data.datasets);
    if (page >= r.data.pages) break;
  }
  if (o.json) { out(JSON.stringify({ total: all.length, datasets: all }, null, 2)); return EXIT.ok; }
  for (const d of all) out(`${d.id}\t${d.latestVersion ? `v${d.latestVersion}` : 'draft'}\t${d.title}`);
  return EXIT.ok;
}

// ------------------------------------------------------------------------------ exports

const EXPORT_FORMATS = ['ttl', 'nt', 'nq', 'jsonld', 'rdf', 'trig', 'bibtex', 'biblatex', 'ris', 'csl', 'datacite', 'datacite-json', 'html'];

export async function exportDataset(c: Client, id: string, o: { format: string; version?: string; profile?: string; output?: string }) {
  const media = FORMAT_MEDIA[o.format];
  if (!media || !EXPORT_FORMATS.includes(o.format)) throw new UsageError(`--format ${o.format}: use one of ${EXPORT_FORMATS.join(', ')}`);
  const path = `/datasets/${enc(id)}${o.version ? `/versions/${enc(o.version)}` : ''}${o.profile ? `?profile=${enc(o.profile)}` : ''}`;
  const r = await c.send('GET', path, { accept: media });
  await writeOut(r.body, o.output);
  return EXIT.ok;
}

const CITE_TYPES: Record<string, string> = { bibtex: 'application/x-bibtex', biblatex: 'application/x-bibtex', ris: 'application/x-research-info-systems', csl: 'application/vnd.citationstyles.csl+json', bibliography: 'text/x-bibliography' };

export async function citeDataset(c: Client, id: string, o: { format: string; version?: string; style?: string; locale?: string }) {
  const media = CITE_TYPES[o.format];
  if (!media) throw new UsageError(`--format ${o.format}: use bibtex, biblatex, ris, csl or bibliography`);
  const params = [o.style ? `style=${o.style}` : '', o.locale ? `locale=${o.locale}` : ''].filter(Boolean);
  const q = new URLSearchParams();
  if (o.format === 'biblatex') q.set('format', 'biblatex'); // same media type as BibTeX: ask by name
  const r = await c.send('GET', `/datasets/${enc(id)}${o.version ? `/versions/${enc(o.version)}` : ''}${q.size ? `?${q}` : ''}`, { accept: [media, ...params].join('; ') });
  const text = await r.body.text();
  out(text);
  return EXIT.ok;
}

// ------------------------------------------------------------------------------ search, SPARQL

export async function search(c: Client, o: SearchOptions) {
  const r = await c.json<SearchPage>('GET', `/datasets?${new URLSearchParams(searchEntries(o))}`);
  const d = r.data;
  out(formatSearch({ total: d.total, page: d.page, datasets: d.datasets.map((h) => ({ id: h.id, version: h.version, title: h.title, iri: h.iri })), facets: d.facets }, o));
  return EXIT.ok;
}

const QUERY_ACCEPT: Record<string, string> = {
  csv: 'text/csv', tsv: 'text/tab-separated-values', json: 'application/sparql-results+json', srj: 'application/sparql-results+json', xml: 'application/sparql-results+xml', srx: 'application/sparql-results+xml',
  ttl: 'text/turtle', nt: 'application/n-triples', jsonld: 'application/ld+json', rdf: 'application/rdf+xml', nq: 'application/n-quads', trig: 'application/trig',
};

export async function query(c: Client, text: string, o: { format?: string; output?: string }) {
  const accept = o.format ? QUERY_ACCEPT[o.format] : 'text/tab-separated-values, application/n-triples;q=0.9';
  if (!accept) throw new UsageError(`--format ${o.format}: use one of ${Object.keys(QUERY_ACCEPT).join(', ')}`);
  const r = await c.send('POST', '/sparql', { accept, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: text }).toString() });
  await writeOut(r.body, o.output);
  return EXIT.ok;
}

// ------------------------------------------------------------------------------ tables

export async function tableList(c: Client, id: string, o: Out) {
  const r = await c.json<{ tables: Record<string, string[]> }>('GET', `/datasets/${enc(id)}/tables`);
  if (o.json) { out(JSON.stringify(r.data, null, 2)); return EXIT.ok; }
  for (const [v, list] of Object.entries(r.data.tables)) out(`${v === 'draft' ? 'draft' : `v${v}`}\t${list.join(', ')}`);
  return EXIT.ok;
}

const TABLE_ACCEPT: Record<string, string> = { csv: 'text/csv', parquet: 'application/vnd.apache.parquet', csvw: 'application/csvm+json' };

export async function tableDownload(c: Client, id: string, compartment: string, o: { format: string; version?: string; output?: string; columns?: string }) {
  const accept = TABLE_ACCEPT[o.format];
  if (!accept) throw new UsageError(`--format ${o.format}: use csv, parquet or csvw`);
  if (o.format === 'parquet' && !o.output && process.stdout.isTTY) throw new UsageError('a Parquet file is binary: write it to a file with --output FILE (or redirect stdout)');
  const q = new URLSearchParams();
  if (o.version) q.set('version', o.version);
  if (o.columns) q.set('columns', o.columns);
  const r = await c.send('GET', `/datasets/${enc(id)}/tables/${enc(compartment)}${q.size ? `?${q}` : ''}`, { accept });
  const len = Number(r.headers['content-length'] ?? NaN);
  await writeOut(r.body, o.output, o.output ? new Progress(`${id}/${compartment}`, { total: Number.isFinite(len) ? len : undefined, unit: 'bytes received' }) : undefined);
  if (o.output) err(`${o.output}: ${statSync(o.output).size} bytes${r.headers['x-row-count'] ? `, ${r.headers['x-row-count']} rows` : ''}`);
  return EXIT.ok;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Session { id: string; url: string; size: number; offset: number; resumed?: boolean; expires: string }

/**
 * Upload a table through an upload session, chunk by chunk; a session left by an interrupted
 * run of the same file (same size and SHA-256) is resumed from the server's offset.
 */
export async function tableUpload(c: Client, id: string, compartment: string, file: string, o: Out & { chunkSize: number; limitRate?: number; triples?: boolean }) {
  const size = requireFile(file);
  if (size === 0) throw new UsageError(`${file}: the file is empty`);
  const sha256 = await sha256File(file);
  const open = await c.json<Session>('POST', `/datasets/${enc(id)}/tables/${enc(compartment)}/uploads`, {
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ size, sha256, name: basename(file), ...(o.triples !== undefined ? { triples: o.triples } : {}) }),
  });
  const s = open.data;
  const startOffset = s.offset;
  let offset = s.offset;
  err(`${file}: upload session ${c.url(s.url)} (${size} bytes, expires ${s.expires})`);
  if (s.resumed && offset > 0) err(`${file}: resuming at byte ${offset} of ${size} (${Math.floor((offset / size) * 100)}% already on the server)`);
  const bar = new Progress(`${id}/${compartment}`, { total: size, start: offset, unit: 'bytes sent' });
  let result: Json | undefined;
  let busyTries = 0;
  const put = async (range: string, body?: Readable) => c.json<Json>('PUT', s.url, { headers: { 'content-range': range, 'content-type': 'application/octet-stream' }, body: body ?? '' });
  while (result === undefined) {
    try {
      if (offset >= size) {
        bar.finish();
        bar.note(`${file}: all ${size} bytes on the server; validating and storing the table…`);
        result = (await put(`bytes */${size}`)).data;
        break;
      }
      const end = Math.min(size, offset + o.chunkSize) - 1;
      const last = end === size - 1;
      let inFlight = 0;
      const body = new PassThrough();
      pipeline(createReadStream(file, { start: offset, end, highWaterMark: 256 * 1024 }), meter((n) => { inFlight += n; bar.set(offset + inFlight); }, o.limitRate), body).catch((e) => body.destroy(e));
      const pending = put(`bytes ${offset}-${end}/${size}`, body);
      if (last) body.once('end', () => { bar.finish(); bar.note(`${file}: all ${size} bytes sent; the server validates and stores the table…`); });
      const r = await pending;
      if (typeof r.data.offset === 'number' && r.data.complete !== true && !('table' in r.data)) { offset = r.data.offset; bar.set(offset); busyTries = 0; continue; }
      result = r.data;
    } catch (e) {
      if (e instanceof ServerRefusal && e.status === 409 && typeof e.problem.offset === 'number') {
        if (e.problem.title === 'Upload Busy') {
          // the server has not yet noticed the end of an interrupted run's request
          if (++busyTries > 30) throw e;
          await sleep(1000);
        }
        offset = e.problem.offset;
        continue;
      }
      throw e;
    }
  }
  const sent = size - startOffset;
  if (o.json) { out(JSON.stringify({ ...result, sent, resumedAt: startOffset }, null, 2)); return EXIT.ok; }
  out(`${file}: ${result.rows} rows stored in ${result.table}; sha256 ${result.sha256}; sent ${sent} of ${size} bytes${startOffset ? ` (resumed at byte ${startOffset})` : ''}`);
  return EXIT.ok;
}

// ------------------------------------------------------------------------------ assets

/** Upload a mesh or SWC skeleton as multipart/form-data (one file part), streamed, with progress. */
export async function assetUpload(c: Client, id: string, file: string, o: Out & { name?: string; row?: string; forest?: boolean; swcUnit?: string; type?: string }) {
  const size = requireFile(file);
  const boundary = `----syndb${createHash('sha256').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 24)}`;
  const name = (o.name ?? basename(file)).replace(/"/g, '');
  const fields: string[] = [];
  if (o.row) fields.push(`--${boundary}\r\nContent-Disposition: form-data; name="row"\r\n\r\n${o.row}\r\n`);
  if (o.forest) fields.push(`--${boundary}\r\nContent-Disposition: form-data; name="forest"\r\n\r\ntrue\r\n`);
  if (o.swcUnit) fields.push(`--${boundary}\r\nContent-Disposition: form-data; name="swcUnit"\r\n\r\n${o.swcUnit}\r\n`);
  const type = o.type ?? ({ '.swc': 'text/plain', '.glb': 'model/gltf-binary', '.gltf': 'model/gltf+json', '.ply': 'application/ply', '.obj': 'model/obj' } as Record<string, string>)[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const head = Buffer.from(`${fields.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const bar = new Progress(`${id}/assets/${name}`, { total: size, unit: 'bytes sent' });
  async function* body() {
    yield head;
    for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) { bar.add((chunk as Buffer).length); yield chunk as Buffer; }
    yield tail;
  }
  const r = await c.json<Json>('POST', `/datasets/${enc(id)}/assets`, {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + size + tail.length) }, body: Readable.from(body()),
  });
  bar.finish();
  printResult(o, r.data, `${file}: stored as ${r.data.name ?? name} (${r.data.bytes ?? size} bytes, sha256 ${r.data.sha256 ?? '?'})`);
  return EXIT.ok;
}
