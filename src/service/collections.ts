/**
 * Collections of datasets and tags (syndb:Collection, syndb:Tag; shapes/collection.ttl).
 * A collection lists its members (dcterms:hasPart: a dataset, or one version of it); a tag is a
 * lightweight collection whose members are the datasets carrying its title as syndb:tag.
 * Each collection is one named graph (B/collections/{id}), validated by SHACL before it is
 * stored, with a PROV-O record of every change in B/collections/{id}/provenance.
 * Owners and curators may change a collection; private collections are visible only to them,
 * and members the caller may not read are left out of everything shown.
 */
import type { GraphStore, WriteOp } from '../store/graph-store.js';
import type { Iris } from '../model/iris.js';
import { SLUG, slugify } from '../model/iris.js';
import { NS } from '../model/namespaces.js';
import { ACCESS } from '../model/dataset-json.js';
import { InputError, type Problem } from '../model/problems.js';
import type { Ontology } from '../model/ontology.js';
import { validate } from '../shacl/validator.js';
import { type Shapes } from '../shacl/shapes.js';
import { activityQuads } from '../provenance/activity.js';
import { df, iri, lit, typed, toNQuads, inGraph, RDF_TYPE, type Quad } from '../util/rdf.js';
import type { Catalog } from '../model/catalog.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../model/problems.js';
import type { Caller } from '../model/caller.js';

export type CollectionKind = 'collection' | 'tag';

export interface Member { id: string; version?: number }

export interface CollectionRecord {
  id: string;
  kind: CollectionKind;
  title: string;
  description?: string;
  /** The account name of the owner. */
  owner: string;
  access: 'public' | 'private';
  /** Explicit members (collections only; a tag's members are found by search). */
  members: Member[];
  created: string;
  modified: string;
}

export interface CollectionInput { id?: string; kind?: CollectionKind; title?: string; description?: string; access?: 'public' | 'private'; members?: string[] }

const COLLATE = new Intl.Collator('en').compare;
const S = (l: string) => iri(NS.syndb + l);
const DCT = (l: string) => iri(NS.dcterms + l);
const FIELDS = ['id', 'kind', 'title', 'description', 'access', 'members'];

export class CollectionService {
  readonly entries = new Map<string, CollectionRecord>();
  constructor(private readonly d: { store: GraphStore; iris: Iris; catalog: Catalog; shapes: Shapes; ontology: Ontology }) {}

  /** Read every collection graph from the store. */
  async load(): Promise<void> {
    this.entries.clear();
    const rows = await this.d.store.select(`PREFIX syndb: <${NS.syndb}> PREFIX dcterms: <${NS.dcterms}>
      SELECT ?g ?c ?type ?id ?title ?desc ?owner ?access ?created ?modified WHERE { GRAPH ?g {
        VALUES ?type { syndb:Collection syndb:Tag } ?c a ?type ; dcterms:identifier ?id ; dcterms:title ?title ; syndb:owner ?owner ;
          dcterms:accessRights ?access ; dcterms:created ?created ; dcterms:modified ?modified . OPTIONAL { ?c dcterms:description ?desc } } }`);
    for (const r of rows) {
      if (r.g.value !== r.c.value || r.c.value !== this.d.iris.collection(r.id.value)) continue;
      const prev = this.entries.get(r.id.value);
      const kind: CollectionKind = r.type.value === `${NS.syndb}Tag` || prev?.kind === 'tag' ? 'tag' : 'collection';
      this.entries.set(r.id.value, {
        id: r.id.value, kind, title: r.title.value, description: r.desc?.value, owner: this.userOf(r.owner.value),
        access: r.access.value === ACCESS.public ? 'public' : 'private', members: [], created: r.created.value, modified: r.modified.value,
      });
    }
    const members = await this.d.store.select(`PREFIX dcterms: <${NS.dcterms}>
      SELECT ?g ?m WHERE { GRAPH ?g { ?g dcterms:hasPart ?m } }`);
    const order = new Map<string, Array<{ m: Member; pos: number }>>();
    for (const r of members) {
      const cid = r.g.value.slice(this.d.iris.collection('').length);
      const p = this.d.iris.parse(r.m.value);
      if (!this.entries.has(cid) || !p) continue;
      const list = order.get(cid) ?? [];
      list.push({ m: { id: p.id, version: typeof p.version === 'number' ? p.version : undefined }, pos: 0 });
      order.set(cid, list);
    }
    for (const [cid, list] of order) this.entries.get(cid)!.members = list.sort((a, b) => a.pos - b.pos || a.m.id.localeCompare(b.m.id)).map((x) => x.m);
  }

  private userOf(agentIri: string) {
    const prefix = this.d.iris.agent('');
    return agentIri.startsWith(prefix) ? decodeURIComponent(agentIri.slice(prefix.length)) : agentIri;
  }

  canRead(c: CollectionRecord, caller: Caller) {
    return c.access === 'public' || caller.role === 'admin' || caller.role === 'curator' || (!!caller.user && caller.user === c.owner);
  }
  canWrite(c: CollectionRecord, caller: Caller) {
    return caller.role === 'admin' || caller.role === 'curator' || (!!caller.user && caller.user === c.owner && caller.role === 'contributor');
  }
  list(caller: Caller): CollectionRecord[] {
    return [...this.entries.values()].filter((c) => this.canRead(c, caller)).sort((a, b) => COLLATE(a.title, b.title) || a.id.localeCompare(b.id));
  }
  /** The collection, or 404 (a private collection is not found for others). */
  get(id: string, caller: Caller): CollectionRecord {
    const c = this.entries.get(id);
    if (!c || !this.canRead(c, caller)) throw new NotFoundError(`no collection "${id}"`);
    return c;
  }
  /** Members the caller may read. */
  visibleMembers(c: CollectionRecord, caller: Caller): Member[] {
    return c.members.filter((m) => { const e = this.d.catalog.entries.get(m.id); return !!e && this.d.catalog.canRead(e, caller); });
  }

  private requireWriter(caller: Caller) {
    if (caller.role === 'anonymous') throw new ForbiddenError('this needs a token: send "Authorization: Bearer <token>"', 401);
    if (caller.role === 'reader') throw new ForbiddenError('role "reader" may not change collections; needs one of: admin, curator, contributor');
  }

  /** Check the JSON input; every problem at once. */
  private check(input: unknown, caller: Caller, existing?: CollectionRecord): { rec: Omit<CollectionRecord, 'created' | 'modified' | 'owner'>; problems: Problem[] } {
    const problems: Problem[] = [];
    const bad = (path: string, message: string, value?: unknown) => problems.push({ path, message, severity: 'Violation', ...(value !== undefined ? { value: typeof value === 'string' ? value : JSON.stringify(value) } : {}) });
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      bad('', 'expected a JSON object such as {"title": "Mouse cortex EM", "members": ["l4dense-motta2019"]}');
      return { rec: { id: '', kind: 'collection', title: '', access: 'public', members: [] }, problems };
    }
    const o = input as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!FIELDS.includes(k)) bad(k, `unknown field; a collection has: ${FIELDS.join(', ')}`);
    const kind = o.kind ?? existing?.kind ?? 'collection';
    if (kind !== 'collection' && kind !== 'tag') bad('kind', 'expected "collection" or "tag"', kind);
    if (existing && kind !== existing.kind) bad('kind', `cannot change the kind of an existing ${existing.kind}; delete it and create a new one`, kind);
    const title = o.title;
    if (typeof title !== 'string' || !title.trim()) bad('title', 'a collection needs a title: non-empty text', title ?? null);
    else if (title.length > 300) bad('title', 'the title is longer than 300 characters', title.slice(0, 40) + '…');
    const description = o.description;
    if (description !== undefined && (typeof description !== 'string' || !description.trim())) bad('description', 'the description must be non-empty text (or leave the field out)', description);
    const access = o.access ?? existing?.access ?? 'public';
    if (access !== 'public' && access !== 'private') bad('access', 'expected "public" or "private"', access);
    let id = existing?.id ?? '';
    if (!existing) {
      if (o.id !== undefined) {
        if (typeof o.id !== 'string' || !SLUG.test(o.id)) bad('id', 'the id must be 2-63 characters: lower-case letters, digits and "-", starting with a letter or digit', o.id);
        else id = o.id;
      } else if (typeof title === 'string' && title.trim()) {
        const base = slugify(title).slice(0, 56);
        id = base;
        for (let n = 2; this.entries.has(id); n++) id = `${base}-${n}`;
      }
    } else if (o.id !== undefined && o.id !== existing.id) bad('id', `the id of a collection cannot change (this is "${existing.id}")`, o.id);
    const members: Member[] = [];
    if (o.members !== undefined) {
      if (kind === 'tag') bad('members', `a tag's members are the datasets that carry the tag "${typeof title === 'string' ? title : ''}" (their "tags" field); set the tag on the datasets instead`);
      else if (!Array.isArray(o.members)) bad('members', 'expected a list of dataset ids or IRIs, e.g. ["l4dense-motta2019"]', o.members);
      else o.members.forEach((m, i) => { const r = this.member(m, caller); if ('error' in r) bad(`members[${i}]`, r.error, m); else if (!members.some((x) => x.id === r.id && x.version === r.version)) members.push(r); });
    } else if (existing) members.push(...existing.members);
    return { rec: { id, kind: kind as CollectionKind, title: typeof title === 'string' ? title.trim() : '', description: typeof description === 'string' ? description.trim() : undefined, access: access as 'public', members }, problems };
  }

  /** A member reference: dataset id, concept IRI, version IRI or `id@n`. Only datasets the caller may read. */
  member(ref: unknown, caller: Caller): Member | { error: string } {
    if (typeof ref !== 'string' || !ref.trim()) return { error: 'expected a dataset id (e.g. "l4dense-motta2019"), its IRI, or a version IRI' };
    const s = ref.trim();
    let id: string, version: number | undefined;
    const at = /^([a-z0-9][a-z0-9-]{1,62})(?:@(\d+))?$/.exec(s);
    if (at) { id = at[1]; version = at[2] ? Number(at[2]) : undefined; }
    else {
      const p = this.d.iris.parse(s.replace(/^\/datasets\//, `${this.d.iris.base}/datasets/`));
      if (!p || (p.rest && p.rest !== '') || p.version === 'draft') return { error: `not a dataset: expected an id or an IRI under ${this.d.iris.base}/datasets/ (a draft cannot be a member)` };
      id = p.id; version = p.version as number | undefined;
    }
    const e = this.d.catalog.entries.get(id);
    if (!e || !this.d.catalog.canRead(e, caller)) return { error: `no dataset "${id}"` };
    if (version !== undefined && !e.versions.includes(version)) return { error: `dataset "${id}" has no version ${version}${e.versions.length ? `; versions: ${e.versions.join(', ')}` : ''}` };
    return { id, version };
  }

  /** The stored RDF of a collection (every member, private ones included; filter before showing). */
  quads(c: CollectionRecord): Quad[] {
    const C = iri(this.d.iris.collection(c.id));
    const q: Quad[] = [
      df.quad(C, RDF_TYPE, S(c.kind === 'tag' ? 'Tag' : 'Collection')),
      df.quad(C, RDF_TYPE, iri(NS.prov + 'Collection')),
      df.quad(C, RDF_TYPE, iri(NS.schema + 'Collection')),
      df.quad(C, DCT('identifier'), lit(c.id)),
      df.quad(C, DCT('title'), lit(c.title)),
      df.quad(C, S('owner'), iri(this.d.iris.agent(c.owner))),
      df.quad(C, DCT('accessRights'), iri(c.access === 'public' ? ACCESS.public : ACCESS.private)),
      df.quad(C, DCT('created'), typed(c.created, 'dateTime')),
      df.quad(C, DCT('modified'), typed(c.modified, 'dateTime')),
    ];
    if (c.description) q.push(df.quad(C, DCT('description'), lit(c.description)));
    c.members.forEach((m) => {
      const M = iri(m.version !== undefined ? this.d.iris.version(m.id, m.version) : this.d.iris.concept(m.id));
      q.push(df.quad(C, DCT('hasPart'), M));
    });
    return q;
  }

  private async save(c: CollectionRecord, kind: 'Create' | 'Edit', caller: Caller, body: string) {
    const quads = this.quads(c);
    const report = await validate(this.d.shapes, quads, { extraQuads: this.d.ontology.typingFor(quads) });
    if (!report.conforms) {
      throw new InputError('The collection is not valid', report.results.map((r) => ({ path: r.path ?? '', value: r.value, message: r.message, focusNode: r.focusNode, severity: r.severity, constraint: r.constraint })));
    }
    const G = this.d.iris.collection(c.id);
    const act = activityQuads(this.d.iris, { kind, user: caller.user ?? 'anonymous', startedAt: new Date(), used: [{ content: body, mediaType: 'application/json', label: `collection ${c.id} as sent` }], generated: [G], label: `${kind === 'Create' ? 'create' : 'edit'} collection ${c.id}` });
    const ops: WriteOp[] = [
      { op: 'clear', graph: G },
      { op: 'add', nquads: toNQuads(inGraph(quads, G)) },
      { op: 'add', nquads: toNQuads(inGraph(act.quads, `${G}/provenance`)) },
    ];
    await this.d.store.transact(ops);
    this.entries.set(c.id, c);
  }

  async create(input: unknown, caller: Caller): Promise<CollectionRecord> {
    this.requireWriter(caller);
    const { rec, problems } = this.check(input, caller);
    if (problems.length) throw new InputError('The collection is not valid', problems);
    if (this.entries.has(rec.id)) throw new ConflictError(`a collection with id "${rec.id}" exists already; choose another id, or PUT /collections/${rec.id} to change it`);
    const now = new Date().toISOString();
    const c: CollectionRecord = { ...rec, owner: caller.user ?? 'anonymous', created: now, modified: now };
    await this.save(c, 'Create', caller, JSON.stringify(input));
    return c;
  }

  /** Replace title, description, access and (when given) members. */
  async update(id: string, input: unknown, caller: Caller): Promise<CollectionRecord> {
    const old = this.writable(id, caller);
    const { rec, problems } = this.check(input, caller, old);
    if (problems.length) throw new InputError('The collection is not valid', problems);
    // Members the caller cannot see stay as they are (a curator's private dataset is not dropped by an owner's edit).
    const hidden = old.members.filter((m) => !this.visibleMembers({ ...old, members: [m] }, caller).length);
    const c: CollectionRecord = { ...old, ...rec, members: [...rec.members, ...hidden], modified: new Date().toISOString() };
    await this.save(c, 'Edit', caller, JSON.stringify(input));
    return c;
  }

  async addMembers(id: string, refs: unknown, caller: Caller): Promise<CollectionRecord> {
    const old = this.writable(id, caller);
    const list = Array.isArray(refs) ? refs : [refs];
    const problems: Problem[] = [];
    if (old.kind === 'tag') problems.push({ path: 'members', message: `"${old.title}" is a tag: its members are the datasets that carry it; add the tag to the dataset instead`, severity: 'Violation' });
    const members = [...old.members];
    list.forEach((m, i) => {
      const r = this.member(m, caller);
      if ('error' in r) problems.push({ path: Array.isArray(refs) ? `members[${i}]` : 'dataset', value: typeof m === 'string' ? m : JSON.stringify(m), message: r.error, severity: 'Violation' });
      else if (!members.some((x) => x.id === r.id && x.version === r.version)) members.push(r);
    });
    if (!list.length) problems.push({ path: 'members', message: 'no dataset given', severity: 'Violation' });
    if (problems.length) throw new InputError('Cannot add these members', problems);
    const c = { ...old, members, modified: new Date().toISOString() };
    await this.save(c, 'Edit', caller, JSON.stringify({ add: refs }));
    return c;
  }

  async removeMember(id: string, datasetId: string, caller: Caller): Promise<CollectionRecord> {
    const old = this.writable(id, caller);
    const members = old.members.filter((m) => m.id !== datasetId);
    if (members.length === old.members.length || !this.visibleMembers({ ...old, members: old.members.filter((m) => m.id === datasetId) }, caller).length) {
      throw new NotFoundError(`dataset "${datasetId}" is not a member of collection "${id}"`);
    }
    const c = { ...old, members, modified: new Date().toISOString() };
    await this.save(c, 'Edit', caller, JSON.stringify({ remove: datasetId }));
    return c;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    this.writable(id, caller);
    const G = this.d.iris.collection(id);
    const act = activityQuads(this.d.iris, { kind: 'Delete', user: caller.user ?? 'anonymous', startedAt: new Date(), invalidated: [G], label: `delete collection ${id}` });
    await this.d.store.transact([{ op: 'clear', graph: G }, { op: 'add', nquads: toNQuads(inGraph(act.quads, `${G}/provenance`)) }]);
    this.entries.delete(id);
  }

  private writable(id: string, caller: Caller): CollectionRecord {
    this.requireWriter(caller);
    const c = this.get(id, caller);
    if (!this.canWrite(c, caller)) throw new ForbiddenError(`only the owner of collection "${id}" or a curator may change it`);
    return c;
  }
}
