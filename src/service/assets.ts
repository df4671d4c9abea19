/**
 * Source assets (meshes, SWC skeletons) attached to a dataset's draft or to one of its rows.
 * Files are content-addressed under <dataDir>/assets/<sha256>: streamed to a temp file (never
 * held whole in memory), hashed, checked, fsynced and renamed into place before the graph write.
 * Each file is described in the draft graph as a dcat:Distribution (syndb:Mesh or
 * syndb:SkeletonSWC) with size, IANA media type, SHA-256 and download URL; SWC skeletons also get
 * their summary. The description, the link from the dataset or row and the AssetUpload
 * provenance activity are written in one GraphStore.transact after SHACL validation.
 *
 * SWC units: SWC coordinates are micrometres by convention; syndb:cableLength is in nanometres
 * (ontology), so the summed segment length is multiplied by 1000 unless the uploader says the
 * file is in nanometres (swcUnit 'nm').
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { streamFailure, onPrematureClose } from '../util/stream-state.js';
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { mergeProblems } from './datasets.js';
import { ConflictError, NotFoundError } from '../model/problems.js';
import type { DatasetEntry } from '../model/catalog.js';
import { InputError, type Problem } from '../model/problems.js';
import { NS } from '../model/namespaces.js';
import { findCompartment } from '../model/compartment-names.js';
import { encodeCid, CSVW_ROWNUM, parseRowIri } from '../model/tables/rows.js';
import { ASSET_NAME, assetClassIri, assetTypeOf, mediaTypeIri, ASSET_TYPES, type AssetType } from '../model/assets/media-types.js';
import { checkSwc, type SwcSummary } from '../model/assets/swc.js';
import { activityQuads, SPDX_TERMS } from '../provenance/activity.js';
import { validate } from '../shacl/validator.js';
import { reportToTurtle } from '../shacl/results.js';
import { df, iri, lit, typed, toNQuads, inGraph, parseRdf, RDF_TYPE, type Quad } from '../util/rdf.js';
import { checkDraftGraph, refuseIfInvalid } from './draft-check.js';
import type { WriteOp } from '../store/graph-store.js';
import { positiveIntFromEnv } from '../util/env.js';

export const DEFAULT_MAX_ASSET_BYTES = 1024 ** 3;

export class AssetTooLargeError extends Error {
  constructor(readonly limit: number) { super(`the file is larger than the limit of ${limit} bytes (SYNDB_MAX_ASSET_BYTES)`); this.name = 'AssetTooLargeError'; }
}

export interface AssetUploadOptions {
  filename: string;
  /** `compartment/cid` of a row of the draft's table to attach the asset to. */
  row?: string;
  /** The Content-Type the client declared (checked against the file name when specific). */
  contentType?: string;
  /** Accept SWC files with several roots. */
  allowForest?: boolean;
  /** Units of the SWC coordinates: 'um' (default, the SWC convention) or 'nm'. */
  swcUnit?: string;
  /** Declared length (Content-Length), for an early 413. */
  declaredBytes?: number;
}

export interface AssetInfo {
  name: string;
  iri: string;
  kind: 'Mesh' | 'SkeletonSWC';
  mediaType: string;
  format?: string;
  bytes: number;
  sha256: string;
  downloadURL: string;
  attachedTo: { dataset: string } | { row: string; compartment: string; cid: string };
  skeleton?: { nodeCount: number; branchPointCount: number; cableLengthNm: number; hasSoma: boolean };
}

export interface AssetUploadResult extends AssetInfo { activity: string; replaced: boolean }

const S = (l: string) => iri(NS.syndb + l);
const DCAT = (l: string) => iri(NS.dcat + l);
const DCT = (l: string) => iri(NS.dcterms + l);
const SPDX = (l: string) => iri(SPDX_TERMS + l);

export class AssetService {
  constructor(readonly ctx: ServiceContext) {}

  get maxBytes(): number {
    const n = positiveIntFromEnv('SYNDB_MAX_ASSET_BYTES', DEFAULT_MAX_ASSET_BYTES);
    return Number.isSafeInteger(n) ? n : DEFAULT_MAX_ASSET_BYTES;
  }

  get dir() { return join(this.ctx.config.dataDir, 'assets'); }
  filePath(sha: string) { return join(this.dir, sha); }

  /** Check the request before reading its body (so nothing is stored for a request that will fail). */
  precheck(id: string, caller: Caller, o: AssetUploadOptions): { e: DatasetEntry; type: AssetType; row?: { slug: string; cid: string; iri: string } } {
    const e = this.ctx.datasets.entry(id, caller);
    this.ctx.datasets.requireWrite(e, caller);
    if (!e.hasDraft) throw new ConflictError(`dataset "${id}" has no draft; assets are added to a draft (PUT /datasets/${id} starts a new one)`);
    const problems: Problem[] = [];
    if (!o.filename) problems.push({ path: 'filename', message: 'the file name is required: ?filename=NAME.swc (or the filename of the multipart file part)', severity: 'Violation' });
    else if (!ASSET_NAME.test(o.filename)) problems.push({ path: 'filename', value: o.filename, message: 'a file name has 1-120 characters A-Z a-z 0-9 . _ - and does not start with a dot', severity: 'Violation' });
    const type = o.filename ? assetTypeOf(o.filename) : undefined;
    if (o.filename && !type) problems.push({ path: 'filename', value: o.filename, message: `unsupported file type; accepted: ${ASSET_TYPES.map((t) => `.${t.ext} (${t.mediaType})`).join(', ')}`, severity: 'Violation' });
    const declared = o.contentType?.split(';')[0].trim().toLowerCase();
    if (type && declared && !['application/octet-stream', 'text/plain', type.mediaType].includes(declared)) {
      problems.push({ path: 'Content-Type', value: declared, message: `a .${type.ext} file is ${type.mediaType} (or application/octet-stream)`, severity: 'Violation' });
    }
    if (o.swcUnit !== undefined && !['um', 'nm'].includes(o.swcUnit)) problems.push({ path: 'swcUnit', value: o.swcUnit, message: 'the SWC coordinate unit is "um" (micrometres, the SWC convention) or "nm"', severity: 'Violation' });
    let row: { slug: string; cid: string; iri: string } | undefined;
    if (o.row !== undefined) {
      const m = /^([^/]+)\/(.+)$/.exec(o.row);
      const c = m ? findCompartment(m[1]) : undefined;
      if (!m) problems.push({ path: 'row', value: o.row, message: 'a row is given as COMPARTMENT/CID, e.g. neuron/n17', severity: 'Violation' });
      else if (!c) problems.push({ path: 'row', value: o.row, message: `"${m[1]}" is not a compartment`, severity: 'Violation' });
      else row = { slug: c.slug, cid: m[2], iri: `${this.ctx.iris.table(id, 'draft', c.slug)}/rows/${encodeCid(m[2])}` };
    }
    if (problems.length) throw new InputError('The asset upload is not valid', problems);
    if (o.declaredBytes !== undefined && o.declaredBytes > this.maxBytes) throw new AssetTooLargeError(this.maxBytes);
    return { e, type: type!, row };
  }

  /** Store an uploaded file and describe it in the draft. */
  upload(id: string, source: Readable, caller: Caller, o: AssetUploadOptions): Promise<AssetUploadResult> {
    return this.ctx.datasets.locks.dataset(id, () => this.uploadUnlocked(id, source, caller, o));
  }

  private async uploadUnlocked(id: string, source: Readable, caller: Caller, o: AssetUploadOptions): Promise<AssetUploadResult> {
    const started = new Date();
    const { type, row } = this.precheck(id, caller, o);
    if (row) {
      const T = this.ctx.iris.table(id, 'draft', row.slug);
      const found = await this.ctx.store.ask(`ASK { GRAPH <${T}> { <${row.iri}> <${CSVW_ROWNUM}> ?n } }`);
      if (!found) throw new InputError('The asset upload is not valid', [{ path: 'row', value: `${row.slug}/${row.cid}`, message: `the draft of "${id}" has no ${row.slug} row with cid "${row.cid}"`, severity: 'Violation' }]);
    }
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${randomUUID()}`);
    try {
      const { sha, bytes } = await this.spool(source, tmp);
      const problems = await this.checkFile(tmp, type, o);
      let summary: SwcSummary | undefined;
      if ('problems' in problems) {
        if (problems.problems.length) throw new InputError(`The ${type.ext.toUpperCase()} file is not valid`, problems.problems, 422);
        summary = problems.summary;
      }
      const final = this.filePath(sha);
      if (existsSync(final)) await rm(tmp, { force: true });
      else { await rename(tmp, final); await fsyncDir(this.dir); }
      const described = await this.describe(id, caller, { name: o.filename, type, sha, bytes, row, summary, unit: o.swcUnit === 'nm' ? 'nm' : 'um', started });
      this.ctx.datasets.changed(id); // the draft's metadata (e.g. for its reserved DOI) has a new asset
      return described;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private async spool(source: Readable, tmp: string): Promise<{ sha: string; bytes: number }> {
    const hash = createHash('sha256');
    let bytes = 0;
    const limit = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > limit) return cb(new AssetTooLargeError(limit));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    // piped by hand, not pipeline(): a rejected upload must not destroy the request (the reply
    // still has to be sent); the rest of the body is drained instead
    const ws = createWriteStream(tmp);
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        source.unpipe(meter);
        source.resume();
        ws.destroy();
        // a source that failed before it was piped fails while the temp file is still being
        // opened: settle once it is closed, so that the caller's rm() finds and removes it
        if (ws.closed) reject(err); else ws.once('close', () => reject(err));
      };
      // a body that failed while this upload waited for the dataset's lock never ends: fail now
      const gone = streamFailure(source);
      if (gone) { fail(gone); return; }
      const off = onPrematureClose(source, fail);
      source.once('error', fail);
      meter.once('error', fail);
      ws.once('error', fail);
      ws.once('finish', () => { off(); if (!failed) resolve(); });
      source.pipe(meter).pipe(ws);
    });
    const fh = await open(tmp, 'r+');
    try { await fh.sync(); } finally { await fh.close(); }
    return { sha: hash.digest('hex'), bytes };
  }

  private async checkFile(path: string, type: AssetType, o: AssetUploadOptions): Promise<{ problems: Problem[]; summary?: SwcSummary } | Record<string, never>> {
    if (type.magic) {
      const fh = await open(path, 'r');
      const buf = Buffer.alloc(type.magic.length);
      try { await fh.read(buf, 0, buf.length, 0); } finally { await fh.close(); }
      if (buf.toString('latin1') !== type.magic) {
        throw new InputError(`The ${type.ext.toUpperCase()} file is not valid`, [{ path: 'file', value: buf.toString('latin1').replace(/[^\x20-\x7e]/g, '?'), message: `a .${type.ext} file starts with "${type.magic}"`, severity: 'Violation' }]);
      }
    }
    if ((await stat(path)).size === 0) throw new InputError('The asset upload is not valid', [{ path: 'file', message: 'the file is empty', severity: 'Violation' }]);
    if (type.kind !== 'SkeletonSWC') return {};
    const r = await checkSwc(createReadStream(path), { allowForest: o.allowForest });
    const problems: Problem[] = r.problems.map((p) => ({ path: `line ${p.line}${p.field ? ` ${p.field}` : ''}`, value: p.value, message: p.message, severity: 'Violation' as const }));
    if (r.problemCount > r.problems.length) problems.push({ path: 'file', message: `${r.problemCount - r.problems.length} more problems not listed`, severity: 'Violation' });
    return { problems, summary: r.summary };
  }

  private async describe(id: string, caller: Caller, a: { name: string; type: AssetType; sha: string; bytes: number; row?: { slug: string; cid: string; iri: string }; summary?: SwcSummary; unit: 'um' | 'nm'; started: Date }): Promise<AssetUploadResult> {
    const D = this.ctx.iris.draft(id);
    const A = `${D}/assets/${a.name}`;
    const url = `${this.ctx.iris.concept(id)}/assets/${a.name}`;
    const An = iri(A), C = iri(`${A}/checksum`);
    const quads: Quad[] = [
      df.quad(An, RDF_TYPE, DCAT('Distribution')),
      df.quad(An, RDF_TYPE, S('SourceAsset')),
      df.quad(An, RDF_TYPE, iri(assetClassIri(a.type.kind))),
      df.quad(An, DCT('title'), lit(a.name)),
      df.quad(An, DCAT('downloadURL'), iri(url)),
      df.quad(An, DCAT('mediaType'), iri(mediaTypeIri(a.type.mediaType))),
      df.quad(An, DCAT('byteSize'), typed(a.bytes, 'nonNegativeInteger')),
      df.quad(An, iri(SPDX_TERMS + 'checksum'), C),
      df.quad(C, RDF_TYPE, SPDX('Checksum')),
      df.quad(C, SPDX('algorithm'), SPDX('checksumAlgorithm_sha256')),
      df.quad(C, SPDX('checksumValue'), typed(a.sha, 'hexBinary')),
      df.quad(An, DCT('modified'), typed(a.started.toISOString(), 'dateTime')),
      df.quad(iri(a.row?.iri ?? D), DCAT('distribution'), An),
    ];
    if (a.type.format) quads.push(df.quad(An, DCT('format'), lit(a.type.format)));
    let cableNm: number | undefined;
    if (a.summary) {
      cableNm = a.summary.cableLength * (a.unit === 'nm' ? 1 : 1000);
      quads.push(
        df.quad(An, S('nodeCount'), typed(a.summary.nodeCount, 'integer')),
        df.quad(An, S('branchPointCount'), typed(a.summary.branchPointCount, 'integer')),
        df.quad(An, S('cableLength'), typed(String(cableNm), 'double')),
        df.quad(An, S('hasSoma'), typed(a.summary.hasSoma, 'boolean')),
        df.quad(An, DCT('description'), lit(`SWC skeleton with ${a.summary.nodeCount} nodes in ${a.summary.rootCount} tree${a.summary.rootCount === 1 ? '' : 's'}; coordinates read as ${a.unit === 'nm' ? 'nanometres (as declared by the uploader)' : 'micrometres (the SWC convention)'}; cable length given in nanometres.`, 'en')),
      );
    }
    const report = await validate(this.ctx.datasets.d.shapes, quads, { extraQuads: this.ctx.datasets.d.ontology.typingFor(quads) });
    if (!report.conforms) throw new InputError('The asset description is not valid', mergeProblems([], report, A), 422, reportToTurtle(report));
    // an asset of the same name in the draft is replaced (its old description and links go):
    // the old quads are taken from the same dump as the rest of the draft, matched by subject, so
    // the delete removes exactly what the store holds, whatever datatype it gives a literal
    const isOld = (q: Quad) => q.subject.value === A || q.subject.value === `${A}/checksum` || (q.object.value === A && q.predicate.value === `${NS.dcat}distribution`);
    const dump = parseRdf(await this.ctx.store.dumpGraph(D), 'application/n-quads');
    const oldQuads = dump.filter(isOld);
    // the whole draft as it will be (service/draft-check.ts)
    const draftNow = dump.filter((q) => !isOld(q));
    const e = this.ctx.catalog.entries.get(id);
    refuseIfInvalid(await checkDraftGraph(this.ctx.datasets.d, id, [...draftNow, ...quads], e?.tables.get('draft') ?? []), 'The asset would make the draft invalid');
    const act = activityQuads(this.ctx.iris, {
      kind: 'AssetUpload', user: caller.user ?? 'anonymous', startedAt: a.started,
      used: [{ sha256: a.sha, byteSize: a.bytes, mediaType: a.type.mediaType, label: `uploaded file ${a.name}` }],
      generated: [A], label: `add ${a.type.kind === 'Mesh' ? 'mesh' : 'SWC skeleton'} ${a.name} to the draft of ${id}${a.row ? ` (row ${a.row.slug}/${a.row.cid})` : ''}`,
    });
    const ops: WriteOp[] = [];
    if (oldQuads.length) ops.push({ op: 'delete', nquads: toNQuads(inGraph(oldQuads, D)) });
    ops.push({ op: 'add', nquads: toNQuads(inGraph(quads, D)) }, { op: 'add', nquads: toNQuads(inGraph(act.quads, this.ctx.datasets.provGraph(id))) });
    await this.ctx.store.transact(ops);
    return {
      name: a.name, iri: A, kind: a.type.kind, mediaType: a.type.mediaType, format: a.type.format, bytes: a.bytes, sha256: a.sha, downloadURL: url,
      attachedTo: a.row ? { row: a.row.iri, compartment: a.row.slug, cid: a.row.cid } : { dataset: D },
      skeleton: a.summary ? { nodeCount: a.summary.nodeCount, branchPointCount: a.summary.branchPointCount, cableLengthNm: cableNm!, hasSoma: a.summary.hasSoma } : undefined,
      activity: act.iri, replaced: oldQuads.length > 0,
    };
  }

  /** The graph whose assets a read means: ?version=n | draft, else the latest published version, else the draft (writers). */
  graphFor(id: string, caller: Caller, version?: string): { graph: string; version: number | 'draft' } {
    const e = this.ctx.datasets.entry(id, caller);
    if (version === 'draft') {
      if (!e.hasDraft || !this.ctx.catalog.canWrite(e, caller)) throw new NotFoundError(`dataset "${id}" has no draft you may read`);
      return { graph: this.ctx.iris.draft(id), version: 'draft' };
    }
    if (version !== undefined && version !== '') {
      const n = Number(version);
      if (!Number.isInteger(n) || n < 1) throw new InputError('Bad version', [{ path: 'version', value: version, message: 'a version is a positive integer or "draft"', severity: 'Violation' }], 400);
      const g = this.ctx.datasets.graphFor(id, caller, n);
      return { graph: g.graph, version: n };
    }
    const g = this.ctx.datasets.graphFor(id, caller);
    return { graph: g.graph, version: g.version ?? 'draft' };
  }

  /** The assets described in a dataset graph, by name. */
  async list(id: string, caller: Caller, version?: string): Promise<{ id: string; version: number | 'draft'; graph: string; assets: AssetInfo[]; quads: Quad[] }> {
    const { graph, version: v } = this.graphFor(id, caller, version);
    const rows = await this.ctx.store.select(`PREFIX dcat: <${NS.dcat}> PREFIX syndb: <${NS.syndb}> PREFIX dcterms: <${NS.dcterms}> PREFIX spdx: <${SPDX_TERMS}>
      SELECT ?a ?name ?type ?media ?format ?bytes ?sha ?url ?holder ?nodes ?branches ?cable ?soma WHERE { GRAPH <${graph}> {
        ?a a syndb:SourceAsset ; a ?type ; dcterms:title ?name ; dcat:mediaType ?media ; dcat:byteSize ?bytes ; spdx:checksum/spdx:checksumValue ?sha ; dcat:downloadURL ?url .
        FILTER(?type IN (syndb:Mesh, syndb:SkeletonSWC))
        OPTIONAL { ?a dcterms:format ?format } OPTIONAL { ?holder dcat:distribution ?a }
        OPTIONAL { ?a syndb:nodeCount ?nodes ; syndb:branchPointCount ?branches ; syndb:cableLength ?cable ; syndb:hasSoma ?soma } } } ORDER BY ?name`);
    const assets: AssetInfo[] = rows.map((r) => {
      const holder = r.holder?.value ?? graph;
      const pr = parseRowIri(holder);
      return {
        name: r.name.value, iri: r.a.value, kind: r.type.value.endsWith('Mesh') ? 'Mesh' as const : 'SkeletonSWC' as const,
        mediaType: r.media.value.replace(/^https:\/\/www\.iana\.org\/assignments\/media-types\//, ''), format: r.format?.value,
        bytes: Number(r.bytes.value), sha256: r.sha.value, downloadURL: r.url.value,
        attachedTo: pr ? { row: holder, compartment: pr.table, cid: pr.cid } : { dataset: holder },
        skeleton: r.nodes ? { nodeCount: Number(r.nodes.value), branchPointCount: Number(r.branches.value), cableLengthNm: Number(r.cable.value), hasSoma: r.soma.value === 'true' } : undefined,
      };
    });
    const quads: Quad[] = [];
    if (assets.length) {
      const subjects = assets.flatMap((a) => [`<${a.iri}>`, `<${a.iri}/checksum>`]).join(' ');
      const qs = await this.ctx.store.select(`SELECT ?s ?p ?o WHERE { GRAPH <${graph}> { { VALUES ?s { ${subjects} } ?s ?p ?o } UNION { VALUES ?o { ${assets.map((a) => `<${a.iri}>`).join(' ')} } BIND(<${NS.dcat}distribution> AS ?p) ?s ?p ?o } } }`);
      for (const b of qs) quads.push(df.quad(iri(b.s.value), iri(b.p.value), termOf(b.o)));
    }
    return { id, version: v, graph, assets, quads };
  }

  /** One asset of the graph a read means, with the path of its stored file. */
  async file(id: string, name: string, caller: Caller, version?: string): Promise<AssetInfo & { path: string }> {
    const { assets, version: v } = await this.list(id, caller, version);
    let a = assets.find((x) => x.name === name);
    if (!a && (version === undefined || version === '') && typeof v === 'number') {
      // C/assets/NAME without ?version= is the latest version's file; versions published before
      // download URLs named their version announced this URL: it still serves their file when a
      // later version dropped the name (the newest version that has it)
      const e = this.ctx.datasets.entry(id, caller);
      for (const n of [...e.versions].reverse()) {
        if (n >= v || e.withdrawn.has(n)) continue;
        a = (await this.list(id, caller, String(n))).assets.find((x) => x.name === name);
        if (a) break;
      }
    }
    if (!a) throw new NotFoundError(`dataset "${id}" has no asset "${name}"${assets.length ? `; its assets: ${assets.map((x) => x.name).slice(0, 20).join(', ')}` : ''}`);
    const path = this.filePath(a.sha256);
    if (!existsSync(path)) throw new ConflictError(`the stored file of asset "${name}" (SHA-256 ${a.sha256}) is missing from the data directory`);
    return { ...a, path };
  }
}


function termOf(b: { type: string; value: string; datatype?: string; 'xml:lang'?: string }): Quad['object'] {
  if (b.type === 'uri') return iri(b.value);
  if (b.type === 'bnode') return df.blankNode(b.value);
  return b['xml:lang'] ? df.literal(b.value, b['xml:lang']) : df.literal(b.value, b.datatype ? iri(b.datatype) : undefined);
}

async function fsyncDir(dir: string) {
  try { const fh = await open(dir, 'r'); try { await fh.sync(); } finally { await fh.close(); } } catch { /* not supported on every platform */ }
}
