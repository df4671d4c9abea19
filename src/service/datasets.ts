/**
 * Dataset writes and reads: input -> model (RDF) -> SHACL -> store (named graphs + provenance),
 * one atomic, durable transaction per change. Nothing invalid is stored; a rejected write
 * changes nothing.
 */
import type { GraphStore, WriteOp } from '../store/graph-store.js';
import type { Quad } from '../util/rdf.js';
import { df, iri, lit, typed, toNQuads, inGraph, parseRdf, RDF_TYPE } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import type { Iris } from '../model/iris.js';
import { parseDatasetInput, type InputFormat, type ParsedDataset } from '../model/parse-input.js';
import { FIELD_OF_PROPERTY, ACCESS, type TermResolver } from '../model/dataset-json.js';
import { skolemize } from '../model/skolemize.js';
import { checkJsonLimits, DEFAULT_INPUT_LIMITS, type InputLimits } from '../model/input-limits.js';
import { ConflictError, InputError, type Problem } from '../model/problems.js';
import type { Ontology } from '../model/ontology.js';
import { validate } from '../shacl/validator.js';
import { reportToTurtle, type ValidationReport } from '../shacl/results.js';
import { type Shapes } from '../shacl/shapes.js';
import { activityQuads } from '../provenance/activity.js';
import { Catalog, type DatasetEntry } from '../model/catalog.js';
import type { Caller } from '../model/caller.js';

import { WriteLocks } from './write-locks.js';
import { checkDraftGraph, refuseIfInvalid } from './draft-check.js';
import { compartmentClass, compartmentConcept } from '../model/compartment-names.js';
import { datasetJsonFromGraph } from '../model/dataset-json-from-graph.js';
import { applyMergePatch } from '../util/merge-patch.js';
import { datasetStateTag, ifMatchHolds } from './dataset-state.js';

/** If-Match names a state the dataset is no longer in (a lost update refused): 412. */
export class PreconditionFailedError extends Error { constructor(m: string, readonly current: string) { super(m); this.name = 'PreconditionFailedError'; } }

export interface Deps {
  store: GraphStore;
  iris: Iris;
  vocabulary: TermResolver;
  ontology: Ontology;
  shapes: Shapes;
  catalog: Catalog;
  /** Count and depth limits on uploads (config.inputLimits). */
  limits?: InputLimits;
  /** Runs checkDataset off the main thread (service/check-pool.ts); without it, checks run inline. */
  checker?: (body: string, format: InputFormat, opts: { id?: string }) => Promise<CheckResult>;
  /** SHACL of a whole graph, off the main thread when large (off-thread.ts); without it, inline. */
  graphValidator?: (quads: Quad[]) => Promise<ValidationReport>;
}

const S = (l: string) => iri(NS.syndb + l);
const DCT = (l: string) => iri(NS.dcterms + l);
const DCAT = (l: string) => iri(NS.dcat + l);

export interface WriteResult {
  id: string; iri: string; version?: number; activity: string;
  /** A dry run: every check passed, nothing was stored (activity is empty). */
  dryRun?: boolean;
  /** Problems below Violation (warnings, infos) of a dry run. */
  warnings?: Problem[];
}

/** Conditions on a write: `If-Match` (the ETag of GET /datasets/{id}). */
export interface WriteConditions { ifMatch?: string; /** check everything, store nothing */ dryRun?: boolean }

/** What a change used, for its provenance record (default: the uploaded description). */
interface UsedInput { content: string; mediaType: string; label: string }

export class DatasetService {
  constructor(readonly d: Deps) {}

  /** One write of a dataset at a time, and SPARQL/GSP writes alone (see write-locks.ts). */
  readonly locks = new WriteLocks();

  private readonly changeListeners: Array<(id: string) => void> = [];
  /** Be told, after a write is durable, that a dataset's stored description changed (search index). */
  onChange(fn: (id: string) => void) { this.changeListeners.push(fn); }
  changed(id: string) {
    for (const fn of this.changeListeners) { try { fn(id); } catch { /* a listener never fails a write */ } }
  }

  get catalog() { return this.d.catalog; }

  /** Validate without storing: the normalised triples and every problem. */
  check(body: string, format: InputFormat, opts: { id?: string } = {}): Promise<CheckResult> {
    return this.d.checker ? this.d.checker(body, format, opts) : checkDataset(this.d, body, format, opts);
  }

  /** Create a dataset (its draft) from an upload. */
  create(body: string, format: InputFormat, caller: Caller, opts: { id?: string; publish?: boolean; notes?: string; dryRun?: boolean } = {}): Promise<WriteResult> {
    // creations one at a time: the id is chosen (and checked unused) inside
    return this.locks.dataset('\u0000create', () => this.createUnlocked(body, format, caller, opts));
  }

  private async createUnlocked(body: string, format: InputFormat, caller: Caller, opts: { id?: string; publish?: boolean; notes?: string; dryRun?: boolean }): Promise<WriteResult> {
    this.requireRole(caller, ['admin', 'curator', 'contributor']);
    const started = new Date();
    let { parsed, quads, report, problems } = await this.check(body, format, opts);
    if (this.catalog.entries.has(parsed.id)) {
      if (parsed.idGiven) throw new ConflictError(`a dataset with id "${parsed.id}" exists already; choose another id, or PUT /datasets/${parsed.id} to replace its draft`);
      const base = parsed.id.slice(0, 58);
      let n = 2;
      while (this.catalog.entries.has(`${base}-${n}`)) n++;
      ({ parsed, quads, report, problems } = await this.check(body, format, { id: `${base}-${n}` }));
    }
    if (problems.some((p) => p.severity === 'Violation')) throw new InputError('The dataset is not valid', problems, 422, reportToTurtle(report));
    const id = parsed.id;
    refuseIfInvalid(await checkDraftGraph(this.d, id, quads, [], { shapesChecked: true }), 'The dataset is not valid');
    const D = this.d.iris.draft(id);
    const C = this.d.iris.concept(id);
    if (opts.dryRun) return { id, iri: C, activity: '', dryRun: true, warnings: problems };
    const title = quads.find((q) => q.subject.value === D && q.predicate.equals(DCT('title')))?.object.value ?? id;
    const embargo = quads.find((q) => q.subject.value === D && q.predicate.equals(S('embargoEndDate')))?.object.value;
    const concept: Quad[] = [
      df.quad(iri(C), RDF_TYPE, S('DatasetConcept')),
      df.quad(iri(C), RDF_TYPE, DCAT('Dataset')),
      df.quad(iri(C), DCT('identifier'), lit(id)),
      df.quad(iri(C), DCT('title'), lit(title)),
      df.quad(iri(C), DCT('accessRights'), iri(quads.find((q) => q.subject.value === D && q.predicate.equals(DCT('accessRights')))!.object.value)),
      df.quad(iri(C), S('owner'), lit(caller.user ?? 'anonymous')),
      df.quad(iri(C), S('hasDraft'), iri(D)),
      ...(embargo ? [df.quad(iri(C), S('embargoEndDate'), typed(embargo, 'date'))] : []),
    ];
    const act = activityQuads(this.d.iris, {
      kind: 'Create', user: caller.user ?? 'anonymous', startedAt: started,
      used: [{ content: body, mediaType: mediaTypeOf(format), label: 'uploaded dataset description' }],
      generated: [D, C],
    });
    const ops: WriteOp[] = [
      { op: 'clear', graph: C }, { op: 'clear', graph: D },
      { op: 'add', nquads: toNQuads(inGraph(concept, C)) },
      { op: 'add', nquads: toNQuads(inGraph(quads, D)) },
      { op: 'add', nquads: toNQuads(inGraph(act.quads, this.provGraph(id))) },
    ];
    await this.d.store.transact(ops);
    this.changed(id);
    this.catalog.entries.set(id, {
      id, access: parsed.access, embargoEnd: embargo, owner: caller.user ?? 'anonymous', title, hasDraft: true, versions: [], withdrawn: new Set(), tables: new Map(),
    });
    const result: WriteResult = { id, iri: C, activity: act.iri };
    if (opts.publish) return this.publish(id, caller, opts.notes);
    return result;
  }

  /** Replace the draft of an existing dataset (a new draft after a release). */
  edit(id: string, body: string, format: InputFormat, caller: Caller, cond: WriteConditions = {}): Promise<WriteResult> {
    return this.locks.dataset(id, async () => {
      const e = this.entry(id, caller);
      this.requireWrite(e, caller);
      await this.requireState(id, cond);
      return this.editUnlocked(id, body, format, caller, undefined, cond.dryRun);
    });
  }

  /**
   * JSON Merge Patch (RFC 7396) of the draft's Dataset JSON (of the latest version's when there
   * is no draft), then stored as PUT stores a description: validated whole, nothing on rejection.
   */
  patch(id: string, patchText: string, caller: Caller, cond: WriteConditions = {}): Promise<WriteResult> {
    return this.locks.dataset(id, async () => {
      const e = this.entry(id, caller);
      this.requireWrite(e, caller);
      await this.requireState(id, cond);
      let patch: unknown;
      try { patch = JSON.parse(patchText); } catch (err) {
        throw new InputError('Malformed JSON', [{ path: '$', message: `the body is not JSON (${(err as Error).message}); send a JSON Merge Patch of the Dataset JSON, e.g. {"title": "New title"}`, severity: 'Violation' }], 400);
      }
      // depth, item and string limits before anything walks the patch (it is merged recursively)
      checkJsonLimits(patch, this.d.limits ?? DEFAULT_INPUT_LIMITS);
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw new InputError('The patch is not valid', [{ path: '$', value: JSON.stringify(patch), message: 'a merge patch of a dataset is a JSON object of the fields to change (null removes a field)', severity: 'Violation' }], 422);
      }
      const latest = this.catalog.latest(e);
      const graph = e.hasDraft ? this.d.iris.draft(id) : latest !== undefined ? this.d.iris.version(id, latest) : undefined;
      if (!graph) throw new ConflictError(`dataset "${id}" has no draft and no published version to patch; PUT /datasets/${id} a new description`);
      const stored = parseRdf(await this.d.store.dumpGraph(graph), 'application/n-quads');
      // the attachments of other routes (assets) stay, as with PUT; they are not part of the JSON form
      const attached = new Set(draftAttachments(this.d.iris, id, stored, []).map(tripleKey));
      const description = stored.filter((q) => !attached.has(tripleKey(q)));
      const { json, unmapped } = datasetJsonFromGraph(description, graph, { id, conceptId: (v) => { const p = this.d.iris.parse(v); return p && p.version === undefined && !p.rest && v === this.d.iris.concept(p.id) ? p.id : undefined; } });
      if (unmapped.length) {
        throw new ConflictError(`the description of "${id}" has ${unmapped.length} statement${unmapped.length === 1 ? '' : 's'} the Dataset JSON cannot carry (e.g. <${unmapped[0].subject.value}> <${unmapped[0].predicate.value}>), which a merge patch would drop; change it with PUT (Turtle or JSON-LD) or SPARQL Update`);
      }
      const merged = applyMergePatch(json, patch) as Record<string, unknown>;
      if (merged.id !== id) {
        throw new InputError('The patch is not valid', [{ path: 'id', value: JSON.stringify(merged.id ?? null), message: `the id of a dataset does not change (it is "${id}"); leave "id" out of the patch`, severity: 'Violation' }], 422);
      }
      return this.editUnlocked(id, JSON.stringify(merged), 'json', caller, { content: patchText, mediaType: 'application/merge-patch+json', label: 'JSON Merge Patch of the dataset description' }, cond.dryRun);
    });
  }

  /** The state tag of a dataset the caller may see (ETags of its representations; dataset-state.ts). */
  stateTag(id: string): Promise<string> {
    return datasetStateTag(this.d.store, this.provGraph(id));
  }

  /** 412 when If-Match names another state; call inside the dataset's write lock. */
  async requireState(id: string, cond: WriteConditions) {
    if (cond.ifMatch === undefined) return;
    const state = await this.stateTag(id);
    if (!ifMatchHolds(cond.ifMatch, state)) throw new PreconditionFailedError(`dataset "${id}" changed since the ETag in If-Match (${cond.ifMatch.trim()}) was read; GET it again and reapply the change`, state);
  }

  private async editUnlocked(id: string, body: string, format: InputFormat, caller: Caller, used?: UsedInput, dryRun = false): Promise<WriteResult> {
    const e = this.entry(id, caller);
    this.requireWrite(e, caller);
    const started = new Date();
    const { quads, report, problems, parsed } = await this.check(body, format, { id });
    if (problems.some((p) => p.severity === 'Violation')) throw new InputError('The dataset is not valid', problems, 422, reportToTurtle(report));
    const D = this.d.iris.draft(id), C = this.d.iris.concept(id);
    // what other routes attached to the draft stays: uploaded assets and the compartments of its tables
    const draftTables = e.hasDraft ? e.tables.get('draft') ?? [] : [];
    const kept = e.hasDraft ? draftAttachments(this.d.iris, id, parseRdf(await this.d.store.dumpGraph(D), 'application/n-quads'), draftTables) : [];
    const content = union(quads, kept);
    refuseIfInvalid(await checkDraftGraph(this.d, id, content, draftTables, { shapesChecked: kept.length === 0 }), 'The dataset is not valid');
    if (dryRun) return { id, iri: D, activity: '', dryRun: true, warnings: problems };
    const act = activityQuads(this.d.iris, {
      kind: 'Edit', user: caller.user ?? 'anonymous', startedAt: started,
      used: [used ?? { content: body, mediaType: mediaTypeOf(format), label: 'uploaded dataset description' }],
      generated: [D], label: `${used ? 'patch' : 'edit'} the draft of ${id}`,
    });
    const accessIri = quads.find((q) => q.subject.value === D && q.predicate.equals(DCT('accessRights')))!.object.value;
    const ops: WriteOp[] = [
      { op: 'clear', graph: D },
      { op: 'add', nquads: toNQuads(inGraph(content, D)) },
      { op: 'delete', nquads: toNQuads(inGraph([df.quad(iri(C), DCT('accessRights'), iri(ACCESS[e.access]))], C)) },
      { op: 'add', nquads: toNQuads(inGraph([df.quad(iri(C), S('hasDraft'), iri(D)), df.quad(iri(C), DCT('accessRights'), iri(accessIri))], C)) },
      { op: 'add', nquads: toNQuads(inGraph(act.quads, this.provGraph(id))) },
    ];
    await this.d.store.transact(ops);
    this.changed(id);
    e.hasDraft = true;
    e.access = parsed.access;
    return { id, iri: D, activity: act.iri };
  }

  /** Publish the draft as the next immutable version. */
  publish(id: string, caller: Caller, notes?: string): Promise<WriteResult> {
    return this.locks.dataset(id, () => this.publishUnlocked(id, caller, notes));
  }

  private async publishUnlocked(id: string, caller: Caller, notes?: string): Promise<WriteResult> {
    const e = this.entry(id, caller);
    this.requireWrite(e, caller);
    if (!e.hasDraft) throw new ConflictError(`dataset "${id}" has no draft to publish; edit it first (PUT /datasets/${id})`);
    const started = new Date();
    const n = (e.versions.at(-1) ?? 0) + 1;
    const D = this.d.iris.draft(id), V = this.d.iris.version(id, n), C = this.d.iris.concept(id);
    const draftText = await this.d.store.dumpGraph(D);
    const draft = parseRdf(draftText, 'application/n-quads');
    const draftCheck = await checkDraftGraph(this.d, id, draft, e.tables.get('draft') ?? []);
    refuseIfInvalid(draftCheck, `The draft of "${id}" is not valid; nothing was published`);
    const move = (t: Quad['object']) => t.termType === 'NamedNode' && (t.value === D || t.value.startsWith(`${D}/`) || t.value.startsWith(`${D}#`))
      ? iri(V + t.value.slice(D.length)) : t;
    // an asset's download URL names the version (C/versions/n/assets/NAME, the asset's own IRI in
    // the version): it keeps serving these bytes whatever later versions do with the name
    const assetUrl = `${C}/assets/`;
    const scoped = (q: Quad, o: Quad['object']) => (q.predicate.equals(DCAT('downloadURL')) || q.predicate.equals(DCAT('accessURL'))) && o.termType === 'NamedNode' && o.value.startsWith(assetUrl)
      ? iri(`${V}/assets/${o.value.slice(assetUrl.length)}`) : o;
    const version: Quad[] = draft.map((q) => df.quad(move(q.subject) as Quad['subject'], q.predicate, scoped(q, move(q.object))));
    const Vn = iri(V);
    version.push(
      df.quad(Vn, DCAT('version'), lit(String(n))),
      df.quad(Vn, iri(NS.schema + 'version'), lit(String(n))),
      df.quad(Vn, DCT('issued'), typed(started.toISOString(), 'dateTime')),
    );
    if (notes) version.push(df.quad(Vn, iri(NS.adms + 'versionNotes'), lit(notes)));
    const prev = e.versions.at(-1);
    if (prev !== undefined) {
      const P = iri(this.d.iris.version(id, prev));
      version.push(df.quad(Vn, DCAT('previousVersion'), P), df.quad(Vn, iri(NS.prov + 'wasRevisionOf'), P));
    }
    const report = await (this.d.graphValidator ?? ((q: Quad[]) => validateGraph(this.d, q)))(version);
    if (!report.conforms) throw new InputError('The draft is not valid', mergeProblems([], report, V), 422, reportToTurtle(report));
    const act = activityQuads(this.d.iris, { kind: 'Publish', user: caller.user ?? 'anonymous', startedAt: started, used: [{ snapshotOf: D, content: draftText.split('\n').filter(Boolean).sort().join('\n') + '\n', mediaType: 'application/n-quads', label: `the draft of ${id} as published` }], generated: [V], label: `publish version ${n} of ${id}` });
    const conceptAdd: Quad[] = [df.quad(iri(C), DCAT('hasVersion'), Vn), df.quad(iri(C), DCAT('hasCurrentVersion'), Vn)];
    const conceptDel: Quad[] = [df.quad(iri(C), S('hasDraft'), iri(D))];
    if (prev !== undefined) conceptDel.push(df.quad(iri(C), DCAT('hasCurrentVersion'), iri(this.d.iris.version(id, prev))));
    const title = version.find((q) => q.subject.equals(Vn) && q.predicate.equals(DCT('title')))?.object.value;
    if (title && title !== e.title) { conceptDel.push(df.quad(iri(C), DCT('title'), lit(e.title))); conceptAdd.push(df.quad(iri(C), DCT('title'), lit(title))); }
    const ops: WriteOp[] = [
      { op: 'add', nquads: toNQuads(inGraph(version, V)) },
      { op: 'clear', graph: D },
      { op: 'delete', nquads: toNQuads(inGraph(conceptDel, C)) },
      { op: 'add', nquads: toNQuads(inGraph(conceptAdd, C)) },
      { op: 'add', nquads: toNQuads(inGraph(act.quads, this.provGraph(id))) },
    ];
    // tables of the draft move to the version inside the store: the rows never pass through this process
    for (const t of e.tables.get('draft') ?? []) {
      const from = this.d.iris.table(id, 'draft', t), to = this.d.iris.table(id, n, t);
      ops.push({ op: 'copy', from, to, rewrite: [D, V] }, { op: 'clear', graph: from });
    }
    await this.d.store.transact(ops);
    this.changed(id);
    e.hasDraft = false;
    e.versions.push(n);
    if (title) e.title = title;
    const draftTables = e.tables.get('draft');
    if (draftTables) { e.tables.set(String(n), draftTables); e.tables.delete('draft'); }
    return { id, iri: V, version: n, activity: act.iri };
  }

  // the catalog's read interface (model/catalog.ts), as the services above ask it
  provGraph(id: string) { return this.catalog.provGraph(id); }
  entry(id: string, caller: Caller): DatasetEntry { return this.catalog.entry(id, caller); }
  visibleEntry(id: string, caller: Caller): DatasetEntry { return this.catalog.visibleEntry(id, caller); }
  graphFor(id: string, caller: Caller, version?: number) { return this.catalog.graphFor(id, caller, version); }
  requireRole(caller: Caller, roles: string[]) { this.catalog.requireRole(caller, roles); }
  requireWrite(e: DatasetEntry, caller: Caller) { this.catalog.requireWrite(e, caller); }
}

function mediaTypeOf(f: InputFormat) {
  return f === 'json' ? 'application/json' : f === 'jsonld' ? 'application/ld+json' : 'text/turtle';
}

/** JSON-level problems first; SHACL results on a field that already has a JSON problem are dropped (same cause). */
export function mergeProblems(jsonProblems: Problem[], report: ValidationReport, subject: string): Problem[] {
  const fieldsWithProblems = new Set(jsonProblems.map((p) => p.path.split(/[.[]/)[0]));
  const out = [...jsonProblems];
  for (const r of report.results) {
    const propIri = r.terms.path && /^<([^>]+)>$/.exec(r.terms.path)?.[1];
    const field = propIri && r.focusNode === subject ? FIELD_OF_PROPERTY[propIri] : undefined;
    if (field && fieldsWithProblems.has(field)) continue;
    out.push({ path: r.path ?? '', value: r.value, message: r.message, focusNode: r.focusNode, severity: r.severity, constraint: r.constraint });
  }
  return out;
}

/** Triples every input form gets: concept link and standard superproperty triples. */
export function normalizeDataset(iris: Iris, quads: Quad[], subject: string, id: string): Quad[] {
    const D = iri(subject);
    const out = [...quads];
    const have = new Set(quads.map((q) => `${q.subject.value} ${q.predicate.value} ${q.object.value}`));
    const add = (q: Quad) => { const k = `${q.subject.value} ${q.predicate.value} ${q.object.value}`; if (!have.has(k)) { have.add(k); out.push(q); } };
    for (const t of [DCAT('Dataset'), iri(NS.schema + 'Dataset'), S('DatasetVersion')]) add(df.quad(D, RDF_TYPE, t));
    add(df.quad(D, DCT('isVersionOf'), iri(iris.concept(id))));
    for (const q of quads) {
      if (q.subject.equals(D) && (q.predicate.equals(S('species')) || q.predicate.equals(S('brainRegion')))) add(df.quad(D, DCT('subject'), q.object));
    }
    return out;
  }

export type CheckDeps = Pick<Deps, 'iris' | 'vocabulary' | 'ontology' | 'shapes'> & { limits?: InputLimits };

/** SHACL validation of one graph (Graph Store / SPARQL Update writes), with the ontology's typing. */
export function validateGraph(d: Pick<Deps, 'shapes' | 'ontology'>, quads: Quad[]): Promise<ValidationReport> {
  return validate(d.shapes, quads, { extraQuads: d.ontology.typingFor(quads) });
}

export interface CheckResult {
  parsed: ParsedDataset;
  quads: Quad[];
  report: ValidationReport;
  problems: Problem[];
}

/** Parse, normalise, skolemise and validate an upload; nothing is stored. */
export async function checkDataset(d: CheckDeps, body: string, format: InputFormat, opts: { id?: string } = {}): Promise<CheckResult> {
  const parsed = await parseDatasetInput(body, format, { iris: d.iris, vocabulary: d.vocabulary, id: opts.id, limits: d.limits });
  const quads = await skolemize(normalizeDataset(d.iris, parsed.quads, parsed.subject, parsed.id), parsed.subject);
  const report = await validate(d.shapes, quads, { extraQuads: d.ontology.typingFor(quads) });
  const problems = mergeProblems(parsed.problems, report, parsed.subject);
  return { parsed, quads, report, problems };
}

/**
 * What the draft graph holds that a new description (PUT /datasets/{id}) does not replace: the
 * descriptions of uploaded assets (their statements, checksums and the links to them from the
 * dataset or from rows), and `<D> syndb:compartment` for each of the draft's compartment tables.
 */
export function draftAttachments(iris: Iris, id: string, draft: Quad[], draftTables: string[]): Quad[] {
  const D = iris.draft(id);
  const assets = new Set(draft.filter((q) => q.predicate.equals(RDF_TYPE) && q.object.equals(S('SourceAsset'))).map((q) => q.subject.value));
  const inner = new Set(draft.filter((q) => assets.has(q.subject.value) && q.object.termType === 'NamedNode' && q.object.value.startsWith(`${q.subject.value}/`)).map((q) => q.object.value));
  const out = draft.filter((q) => assets.has(q.subject.value) || inner.has(q.subject.value) || (q.predicate.equals(DCAT('distribution')) && assets.has(q.object.value)))
    .map((q) => df.quad(q.subject, q.predicate, q.object));
  for (const t of draftTables) if (compartmentClass(t)) out.push(df.quad(iri(D), S('compartment'), iri(compartmentConcept(t))));
  return out;
}

/** a ∪ b without duplicate triples (graph names dropped). */
function union(a: Quad[], b: Quad[]): Quad[] {
  const key = (q: Quad) => `${q.subject.value} ${q.predicate.value} ${termKey(q.object)}`;
  const seen = new Set(a.map(key));
  const out = a.map((q) => df.quad(q.subject, q.predicate, q.object));
  for (const q of b) { const k = key(q); if (!seen.has(k)) { seen.add(k); out.push(df.quad(q.subject, q.predicate, q.object)); } }
  return out;
}
const tripleKey = (q: Quad) => `${q.subject.value} ${q.predicate.value} ${termKey(q.object)}`;
const termKey = (t: Quad['object']) => t.termType === 'Literal' ? `"${t.value}"@${t.language}^^${t.datatype.value}` : `${t.termType}:${t.value}`;
