/**
 * DOIs at DataCite for every dataset (when the service has a DataCite account, config.datacite).
 *
 * What a dataset should have is derived from its state, so nothing can be forgotten:
 * - its concept DOI (`{prefix}/syndb.{id}`): reserved as a draft when the dataset is created
 *   (with its metadata when public, with none when private or embargoed), findable while the
 *   dataset is public with a live version (`HasVersion` each version), registered (hidden) when
 *   it is no longer;
 * - one DOI per published version (`{prefix}/syndb.{id}.v{n}`): findable while the version is live
 *   and the dataset public (`IsVersionOf` the concept, `IsNewVersionOf` / `IsPreviousVersionOf`
 *   its neighbours); a withdrawn version's DOI stays registered but is hidden (event `hide`);
 * - metadata updated whenever what we would send changes (its digest is recorded).
 * A dataset that carries a DOI of its own (syndb:doi) gets none from us.
 *
 * Work is never done inside a write: every write of a dataset (datasets.onChange) queues the
 * dataset; the queue is kept in `<data dir>/datacite/queue.json` (written atomically, fsynced) and
 * rebuilt at start from any dataset whose recorded DOIs differ from what it should have, so a
 * crash loses nothing. A failure at DataCite (down, 5xx, timeout, refusal) never fails a write: the
 * dataset stays queued and is retried with exponential backoff (retryMs doubling, at most
 * maxRetryMs); status() shows it (GET /health/ready, GET /datasets/{id}/versions). What DataCite
 * confirmed is recorded in the concept graph (src/publish/dois.ts) with a DoiRegistration activity
 * in the dataset's provenance, so it is in the history and changes the dataset's ETag.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DataCiteConfig } from './config.js';
import type { GraphStore } from '../store/graph-store.js';
import type { Iris } from '../model/iris.js';
import type { Catalog, DatasetEntry } from '../model/catalog.js';
import type { DatasetService } from './datasets.js';
import { NS } from '../model/namespaces.js';
import { df, iri, lit, typed, toNQuads, inGraph, sparqlIri, parseRdf, type Quad } from '../util/rdf.js';
import { activityQuads } from '../provenance/activity.js';
import { DataCiteClient, DataCiteError, type DoiEvent, type DoiState } from '../publish/datacite-api.js';
import { DOI_TERMS, conceptDoiName, versionDoiName, doiRecords, type DoiRecord, type DatasetDois } from '../publish/dois.js';
import { datasetMetadata, conceptMetadata, type DatasetMetadata } from '../publish/metadata.js';
import { dataciteRecord, dataciteJson, dataciteXml } from '../publish/datacite.js';

export interface RegistrarContext { store: GraphStore; iris: Iris; catalog: Catalog; datasets: DatasetService; publisher: string; dataDir: string }

/** A dataset (or a deleted dataset's draft DOI) waiting for DataCite. */
export interface DoiTask {
  /** Dataset id (of a dataset deleted before it was published: its reserved draft DOI is deleted). */
  id: string;
  /** When it was queued (ISO). */
  since: string;
  attempts: number;
  /** Not before (ISO). */
  nextAttemptAt: string;
  lastAttemptAt?: string;
  lastError?: string;
}

export interface RegistrarStatus {
  url: string;
  prefix: string;
  /** Datasets waiting for DataCite (each retried with backoff). */
  pending: number;
  /** Of those, how many failed at least once. */
  failing: number;
  tasks: DoiTask[];
  lastSuccessAt?: string;
  lastError?: { at: string; id: string; message: string };
}

/** The DOI of one concept or version, as it should be at DataCite. */
interface Target {
  subject: string;
  doi: string;
  state: DoiState;
  /** The metadata to send (undefined: leave DataCite's as it is, e.g. for a hidden DOI). */
  attributes?: () => Promise<Record<string, unknown>>;
}

const AGENT = 'syndb-datacite';
const digestOf = (a: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(a)).digest('hex');

/** The DataCite event that takes a DOI from one state to another (undefined: no change; null: impossible). */
function eventFor(from: DoiState | undefined, to: DoiState): DoiEvent | undefined | null {
  if (from === to) return undefined;
  if (to === 'findable') return 'publish';
  if (to === 'registered') return from === 'findable' ? 'hide' : 'register';
  return from === undefined ? undefined : null; // back to draft: DataCite cannot
}

export class DoiRegistrar {
  private readonly tasks = new Map<string, DoiTask>();
  private readonly client: DataCiteClient;
  private timer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private closed = false;
  private lastSuccessAt?: string;
  private lastError?: { at: string; id: string; message: string };
  private readonly queueFile: string;

  constructor(private readonly ctx: RegistrarContext, readonly cfg: DataCiteConfig, client?: DataCiteClient, private readonly log: (o: Record<string, unknown>) => void = () => {}) {
    this.client = client ?? new DataCiteClient({ url: cfg.url, user: cfg.user, password: cfg.password, timeoutMs: cfg.timeoutMs });
    this.queueFile = join(ctx.dataDir, 'datacite', 'queue.json');
  }

  /** Load the queue, add every dataset whose DOIs are not what they should be, and start working. */
  async start() {
    if (existsSync(this.queueFile)) {
      const saved = JSON.parse(readFileSync(this.queueFile, 'utf8')) as { tasks?: DoiTask[] };
      for (const t of saved.tasks ?? []) this.tasks.set(t.id, t);
    }
    await this.check();
    this.checkTimer = setInterval(() => { this.check().catch((e) => this.log({ level: 'error', msg: 'DataCite check failed', error: String(e) })); }, this.cfg.checkMs);
    this.checkTimer.unref();
    this.kick();
  }

  /** Queue a dataset (after a write of it is durable): its DOIs are brought up to date soon. */
  enqueue(id: string) {
    if (this.closed) return;
    const now = new Date().toISOString();
    const t = this.tasks.get(id);
    // a new change is worth an attempt now, whatever the backoff said; the count of failures stays
    this.tasks.set(id, t ? { ...t, nextAttemptAt: now } : { id, since: now, attempts: 0, nextAttemptAt: now });
    this.persist();
    this.kick();
  }

  /** Every dataset whose recorded DOIs differ (in name or state) from what it should have, queued; cheap (one query). */
  async check() {
    const entries = [...this.ctx.catalog.entries.values()];
    if (!entries.length) return;
    const recs = await doiRecords(this.ctx.store, entries.map((e) => this.ctx.iris.concept(e.id)));
    const own = await this.ownDois(entries);
    let added = false;
    for (const e of entries) {
      if (this.tasks.has(e.id)) continue;
      const wanted = this.plan(e, recs, own.has(e.id));
      if (wanted.some((t) => recs.get(t.subject)?.state !== t.state)) {
        const now = new Date().toISOString();
        this.tasks.set(e.id, { id: e.id, since: now, attempts: 0, nextAttemptAt: now });
        added = true;
      }
    }
    if (added) { this.persist(); this.kick(); }
  }

  status(): RegistrarStatus {
    const tasks = [...this.tasks.values()].sort((a, b) => a.since.localeCompare(b.since));
    return { url: this.cfg.url, prefix: this.cfg.prefix, pending: tasks.length, failing: tasks.filter((t) => t.attempts > 0).length, tasks, lastSuccessAt: this.lastSuccessAt, lastError: this.lastError };
  }

  /** The queued work of one dataset, if any. */
  taskOf(id: string): DoiTask | undefined { return this.tasks.get(id); }

  /** Resolves when nothing is due (tests, orderly shutdown); tasks waiting for a later retry do not count. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) { await this.running; continue; }
      if (this.closed) return;
      const now = Date.now();
      if (![...this.tasks.values()].some((t) => Date.parse(t.nextAttemptAt) <= now)) return;
      this.kick();
      await new Promise((r) => setImmediate(r));
    }
  }

  async close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    await this.running;
  }

  private kick() {
    if (this.closed) return;
    if (this.running) { this.again = true; return; }
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    // started on the next turn: a write tells its listeners before it updates the catalog
    this.running = new Promise((r) => setImmediate(r)).then(() => this.runDue()).finally(() => {
      this.running = undefined;
      if (this.again) { this.again = false; this.kick(); } else this.schedule();
    });
  }

  /** Wake up for the earliest retry. */
  private schedule() {
    if (this.closed || !this.tasks.size) return;
    const next = Math.min(...[...this.tasks.values()].map((t) => Date.parse(t.nextAttemptAt)));
    this.timer = setTimeout(() => { this.timer = undefined; this.kick(); }, Math.max(0, Math.min(next - Date.now(), 2_147_000_000)));
    this.timer.unref();
  }

  private async runDue() {
    const due = [...this.tasks.entries()].filter(([, t]) => Date.parse(t.nextAttemptAt) <= Date.now()).sort(([, a], [, b]) => a.since.localeCompare(b.since));
    for (const [key, t] of due) {
      if (this.closed) return;
      if (this.tasks.get(key) !== t) continue; // re-queued meanwhile: the newer task runs next round
      const attemptAt = new Date().toISOString();
      try {
        // a dataset no longer in the catalog was deleted before it was published: only its reserved draft DOI is left
        if (!this.ctx.catalog.entries.has(t.id)) await this.deleteDraft(conceptDoiName(this.cfg.prefix, t.id));
        else await this.reconcile(t.id);
        if (this.tasks.get(key) === t) this.tasks.delete(key);
        else this.tasks.set(key, { ...this.tasks.get(key)!, attempts: 0, lastError: undefined });
        this.lastSuccessAt = new Date().toISOString();
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const attempts = t.attempts + 1;
        const wait = Math.min(this.cfg.retryMs * 2 ** Math.min(attempts - 1, 40), this.cfg.maxRetryMs);
        const cur = this.tasks.get(key) ?? t;
        this.tasks.set(key, { ...cur, attempts, lastAttemptAt: attemptAt, lastError: message, nextAttemptAt: cur !== t ? cur.nextAttemptAt : new Date(Date.now() + wait).toISOString() });
        this.lastError = { at: attemptAt, id: t.id, message };
        this.log({ level: 'warn', msg: 'DataCite: DOI work failed, will retry', dataset: t.id, attempts, retryInMs: wait, error: message });
      }
      this.persist();
    }
  }

  private async deleteDraft(doi: string) {
    try {
      await this.client.deleteDraft(doi);
    } catch (e) {
      // not a draft (or not ours): there is nothing DataCite lets us delete; stop trying
      if (e instanceof DataCiteError && !e.retryable) { this.log({ level: 'warn', msg: 'DataCite: draft DOI not deleted', doi, error: e.message }); return; }
      throw e;
    }
  }

  /** Datasets that carry a DOI of their own (syndb:doi in the draft or a version). */
  private async ownDois(entries: DatasetEntry[]): Promise<Set<string>> {
    const graphs = entries.flatMap((e) => [...(e.hasDraft ? [this.ctx.iris.draft(e.id)] : []), ...e.versions.map((v) => this.ctx.iris.version(e.id, v))]);
    const out = new Set<string>();
    if (!graphs.length) return out;
    const rows = await this.ctx.store.select(`SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g <${NS.syndb}doi> ?d } VALUES ?g { ${graphs.map(sparqlIri).join(' ')} } }`);
    for (const r of rows) { const p = this.ctx.iris.parse(r.g.value); if (p) out.add(p.id); }
    return out;
  }

  /** The DOIs a dataset should have, in the states it should have them (versions first, the concept last). */
  private plan(e: DatasetEntry, recs: Map<string, DoiRecord>, hasOwnDoi: boolean): Target[] {
    const { iris, catalog } = this.ctx;
    const C = iris.concept(e.id);
    const mine = [C, ...e.versions.map((v) => iris.version(e.id, v))].some((s) => recs.has(s));
    if (hasOwnDoi && !mine) return [];
    const isPublic = catalog.isPublic(e);
    const live = e.versions.filter((v) => !e.withdrawn.has(v));
    const out: Target[] = [];
    for (const n of e.versions) {
      const V = iris.version(e.id, n);
      const rec = recs.get(V);
      if (isPublic && live.includes(n)) out.push({ subject: V, doi: rec?.doi ?? versionDoiName(this.cfg.prefix, e.id, n), state: 'findable', attributes: () => this.versionAttributes(e, n) });
      else if (rec && rec.state !== 'draft') out.push({ subject: V, doi: rec.doi, state: 'registered' }); // withdrawn, or the dataset no longer public: hidden
    }
    const rec = recs.get(C);
    const doi = rec?.doi ?? conceptDoiName(this.cfg.prefix, e.id);
    if (isPublic && live.length) out.push({ subject: C, doi, state: 'findable', attributes: () => this.conceptAttributes(e) });
    else if (rec && rec.state !== 'draft') out.push({ subject: C, doi, state: 'registered' });
    else if (isPublic) out.push({ subject: C, doi, state: 'draft', attributes: () => this.conceptAttributes(e) });
    else out.push({ subject: C, doi, state: 'draft', attributes: async () => ({}) }); // reserved; a private dataset's metadata is not sent
    return out;
  }

  /** The DOIs the payloads name for the dataset's own concept and live versions (all registered in the same pass). */
  private plannedDois(e: DatasetEntry): DatasetDois {
    const out: DatasetDois = { concept: conceptDoiName(this.cfg.prefix, e.id), versions: {} };
    for (const v of e.versions.filter((x) => !e.withdrawn.has(x))) out.versions[v] = versionDoiName(this.cfg.prefix, e.id, v);
    return out;
  }

  private attributesOf(m: DatasetMetadata, doi: string, dois: DatasetDois): Record<string, unknown> {
    const record = dataciteRecord({ ...m, doi, dois });
    const { doi: _doi, id: _id, ...attributes } = dataciteJson(record) as Record<string, unknown>;
    // the same record as DataCite XML, which DataCite validates against its schema
    return { ...attributes, url: m.iri, xml: Buffer.from(dataciteXml(record)).toString('base64') };
  }

  private metaDeps() { return { store: this.ctx.store, iris: this.ctx.iris, catalog: this.ctx.catalog, publisher: this.ctx.publisher }; }

  private async versionAttributes(e: DatasetEntry, n: number) {
    const V = this.ctx.iris.version(e.id, n);
    const m = await datasetMetadata(this.metaDeps(), e, { graph: V, subject: V, version: n }, V);
    return this.attributesOf(m, versionDoiName(this.cfg.prefix, e.id, n), this.plannedDois(e));
  }

  private async conceptAttributes(e: DatasetEntry) {
    const C = this.ctx.iris.concept(e.id);
    let m: DatasetMetadata;
    if (this.ctx.catalog.latest(e) !== undefined) m = await conceptMetadata(this.metaDeps(), e);
    else {
      const D = this.ctx.iris.draft(e.id);
      if (!e.hasDraft) return {};
      m = await datasetMetadata(this.metaDeps(), e, { graph: D, subject: D }, C);
    }
    return this.attributesOf(m, conceptDoiName(this.cfg.prefix, e.id), this.plannedDois(e));
  }

  /** Bring one dataset's DOIs to what they should be; throws (and the dataset stays queued) on the first failure. */
  private async reconcile(id: string) {
    const e = this.ctx.catalog.entries.get(id);
    if (!e) return;
    const C = this.ctx.iris.concept(id);
    const recs = await doiRecords(this.ctx.store, [C]);
    const targets = this.plan(e, recs, (await this.ownDois([e])).has(id));
    for (const t of targets) {
      const rec = recs.get(t.subject);
      const attributes = t.attributes ? await t.attributes() : undefined;
      const digest = attributes ? digestOf(attributes) : rec?.digest;
      const event = eventFor(rec?.state, t.state);
      if (event === null) continue; // a registered DOI never becomes a draft again
      if (rec && event === undefined && digest === rec.digest) continue;
      let state: DoiState;
      let created = false;
      if (!rec) {
        try {
          state = (await this.client.create(t.doi, attributes ?? {}, event)).state;
          created = true;
        } catch (err) {
          // created before, but the answer was lost (or recorded state lost): it is ours, update it
          if (!(err instanceof DataCiteError && err.status === 422 && err.errors.some((x) => /taken/i.test(x.title ?? '')))) throw err;
          const there = await this.client.get(t.doi);
          const ev = eventFor(there?.state, t.state);
          state = (await this.client.update(t.doi, attributes ?? {}, ev ?? undefined)).state;
        }
      } else {
        state = (await this.client.update(t.doi, attributes && digest !== rec.digest ? attributes : {}, event)).state;
      }
      await this.record(e, t, state, digest, created ? 'reserved' : rec ? 'updated' : 'claimed');
      recs.set(t.subject, { subject: t.subject, doi: t.doi, state, digest });
    }
  }

  /** Record what DataCite confirmed (concept graph) with a DoiRegistration activity (provenance). */
  private record(e: DatasetEntry, t: Target, state: DoiState, digest: string | undefined, how: string) {
    const { iris, store, datasets } = this.ctx;
    return datasets.locks.dataset(e.id, async () => {
      if (this.ctx.catalog.entries.get(e.id) !== e) return; // deleted meanwhile
      const C = iris.concept(e.id);
      const S = iri(t.subject);
      const now = new Date();
      const quads: Quad[] = [
        df.quad(S, iri(DOI_TERMS.registeredDoi), lit(t.doi)),
        df.quad(S, iri(DOI_TERMS.doiState), lit(state)),
        ...(digest ? [df.quad(S, iri(DOI_TERMS.doiMetadataDigest), lit(digest))] : []),
        df.quad(S, iri(DOI_TERMS.doiUpdated), typed(now.toISOString(), 'dateTime')),
      ];
      const terms = new Set<string>(Object.values(DOI_TERMS));
      const oldQuads = parseRdf(await store.dumpGraph(C), 'application/n-quads').filter((q) => q.subject.value === t.subject && terms.has(q.predicate.value))
        .map((q) => df.quad(q.subject, q.predicate, q.object));
      const what = how === 'reserved' ? (state === 'draft' ? 'reserved' : `registered (${state})`) : `${state}${digest ? ', metadata sent' : ''}`;
      // what it produced is the DOI record (its own entity, a fragment of the activity's IRI: the
      // version's generating activity stays its Publish); what it used is the metadata sent, by its
      // checksum (shapes/provenance.ttl: every activity generates something, every input has a checksum)
      const uuid = randomUUID();
      const record = `${iris.activity(uuid)}#doi-record`;
      const act = activityQuads(iris, {
        kind: 'DoiRegistration', user: AGENT, startedAt: now,
        used: digest ? [{ sha256: digest, mediaType: 'application/json', label: `DataCite metadata of ${t.subject}` }] : [],
        generated: [record],
        label: `DataCite: DOI ${t.doi} of ${t.subject === C ? e.id : `version ${t.subject.slice(t.subject.lastIndexOf('/') + 1)} of ${e.id}`} ${what}`,
      }, uuid);
      await store.transact([
        ...(oldQuads.length ? [{ op: 'delete' as const, nquads: toNQuads(inGraph(oldQuads, C)) }] : []),
        { op: 'add', nquads: toNQuads(inGraph(quads, C)) },
        { op: 'add', nquads: toNQuads(inGraph(act.quads, datasets.provGraph(e.id))) },
      ]);
    });
  }

  /** The queue file, replaced atomically (written, fsynced, renamed). */
  private persist() {
    const dir = join(this.ctx.dataDir, 'datacite');
    mkdirSync(dir, { recursive: true });
    const tmp = `${this.queueFile}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ tasks: [...this.tasks.values()] }, null, 2));
      fsyncSync(fd);
    } finally { closeSync(fd); }
    renameSync(tmp, this.queueFile);
  }
}
