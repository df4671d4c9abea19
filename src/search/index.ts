/**
 * The search index: one SearchDoc per dataset (its latest published version, and its draft),
 * built from the store at start and brought up to date before every search (the Catalog tells
 * what changed; DatasetService.onChange marks draft edits). Searches run in memory: the query is
 * compiled to predicates (src/search/query.ts) with the region / species hierarchy expanded once
 * per term through the vocabulary (part-of, broader, exact UBERON mappings).
 */
import type { GraphStore } from '../store/graph-store.js';
import type { Iris } from '../model/iris.js';
import type { Vocabulary } from '../model/vocabulary.js';
import { NS, compactIri } from '../model/namespaces.js';
import type { Catalog, DatasetEntry } from '../model/catalog.js';
import type { Caller } from '../model/caller.js';
import { parseRdf } from '../util/rdf.js';
import { docFromQuads, MODALITIES, type SearchDoc } from './documents.js';
import { Compiler, FACETS, score, type CollectionLookup, type FacetName, type ResolvedValue, type SearchParams, type SortKey } from './query.js';
import { fold } from './text.js';

export interface FacetCount { value: string; label: string; count: number; selected: boolean; iri?: string; depth?: number }

export interface SearchHit { doc: SearchDoc; entry: DatasetEntry; score: number }

export interface SearchResult {
  total: number;
  page: number;
  pageSize: number;
  sort: SortKey;
  hits: SearchHit[];
  facets: Record<FacetName, FacetCount[]>;
  resolved: ResolvedValue[];
  /** Milliseconds spent (sync + match + facets). */
  ms: number;
}

/** The collections a caller may read, for the `collection` facet and filter. */
export interface CollectionView extends CollectionLookup {
  all(): Array<{ id: string; title: string; has(doc: SearchDoc): boolean }>;
}

interface Slot { stamp: string; published?: SearchDoc; draft?: SearchDoc }
interface FacetValue { value: string; label: string; iri?: string }

const FACET_LIMIT = 100;
/** One collator for every sort (String#localeCompare with a locale builds a new one per call). */
const collate = new Intl.Collator('en').compare;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class SearchIndex {
  private slots = new Map<string, Slot>();
  private dirty = new Set<string>();
  private syncing: Promise<void> | undefined;
  private labelCache = new Map<string, string[]>();
  readonly compiler: Compiler;
  private regionParents = new Map<string, string[]>();
  private depthCache = new Map<string, number>();
  private chainCache = new Map<string, string[]>();
  private valueCache = new WeakMap<SearchDoc, Record<Exclude<FacetName, 'collection'>, FacetValue[]>>();

  constructor(private readonly d: { store: GraphStore; iris: Iris; catalog: Catalog }, readonly vocab: Vocabulary) {
    this.compiler = new Compiler(vocab);
    // Direct parents inside one hierarchy (part-of, SKOS broader) for the region facet.
    const re = /^<([^>]+)> <(https:\/\/w3id\.org\/syndb\/ontology#partOf|http:\/\/www\.w3\.org\/2004\/02\/skos\/core#broader)> <([^>]+)> \.$/;
    for (const line of vocab.nTriples().split('\n')) {
      const m = re.exec(line);
      if (m) this.regionParents.set(m[1], [...(this.regionParents.get(m[1]) ?? []), m[3]]);
    }
  }

  /** Mark a dataset as changed (called by DatasetService.onChange). */
  markDirty(id: string) { this.dirty.add(id); }

  /** What in the catalog entry changes when the searchable description does (draft edits come through markDirty). */
  private stamp(e: DatasetEntry) {
    return `${e.versions.length}.${e.versions.at(-1) ?? ''}.${e.withdrawn.size}.${this.d.catalog.latest(e) ?? ''}|${e.hasDraft}|${e.title}`;
  }

  /** Bring the index up to date with the catalog (one load at a time). */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing;
    const todo: DatasetEntry[] = [];
    for (const e of this.d.catalog.entries.values()) {
      const s = this.slots.get(e.id);
      if (!s || s.stamp !== this.stamp(e) || this.dirty.has(e.id)) todo.push(e);
    }
    for (const id of this.slots.keys()) if (!this.d.catalog.entries.has(id)) this.slots.delete(id);
    if (!todo.length) return;
    this.syncing = (async () => {
      const queue = [...todo];
      const worker = async () => {
        for (let e = queue.shift(); e; e = queue.shift()) {
          this.dirty.delete(e.id);
          const stamp = this.stamp(e);
          const slot: Slot = { stamp };
          const v = this.d.catalog.latest(e);
          if (v !== undefined) slot.published = await this.load(e.id, v);
          if (e.hasDraft) slot.draft = await this.load(e.id, 'draft');
          this.slots.set(e.id, slot);
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
    })();
    try { await this.syncing; } finally { this.syncing = undefined; }
  }

  private async load(id: string, version: number | 'draft'): Promise<SearchDoc | undefined> {
    const g = version === 'draft' ? this.d.iris.draft(id) : this.d.iris.version(id, version);
    const text = await this.d.store.dumpGraph(g);
    if (!text) return undefined;
    return docFromQuads(this.vocab, this.labelCache, parseRdf(text, 'application/n-quads'), g, id, version);
  }

  /** The document a caller searches for a dataset: the latest published version; the draft only for its writers when nothing is published. */
  docFor(e: DatasetEntry, caller: Caller): SearchDoc | undefined {
    const s = this.slots.get(e.id);
    if (!s) return undefined;
    if (s.published) return s.published;
    return s.draft && this.d.catalog.canWrite(e, caller) ? s.draft : undefined;
  }

  /** Every dataset the caller may read, as SearchDocs. */
  visible(caller: Caller): Array<{ doc: SearchDoc; entry: DatasetEntry }> {
    const out: Array<{ doc: SearchDoc; entry: DatasetEntry }> = [];
    for (const e of this.d.catalog.entries.values()) {
      if (!this.d.catalog.canRead(e, caller)) continue;
      const doc = this.docFor(e, caller);
      if (doc) out.push({ doc, entry: e });
    }
    return out;
  }

  async search(p: SearchParams, caller: Caller, collections: CollectionView): Promise<SearchResult> {
    const t0 = performance.now();
    await this.sync();
    const compiled = this.compiler.compile(p, collections);
    const pool = this.visible(caller);
    const fs = compiled.facets;
    // For each document: does it pass q, and which facet filters does it fail?
    const passQ = pool.map((x) => !compiled.q || compiled.q(x.doc));
    const fails = pool.map((x, i) => (passQ[i] ? fs.filter((f) => !f.pred(x.doc)).map((f) => f.facet) : null));
    const hits: SearchHit[] = [];
    pool.forEach((x, i) => { if (fails[i] && fails[i]!.length === 0) hits.push({ ...x, score: compiled.rankTokens.length ? score(x.doc, compiled.rankTokens) : 0 }); });
    const sort: SortKey = p.sort ?? (compiled.rankTokens.length ? 'relevance' : 'title');
    const byTitle = (a: SearchHit, b: SearchHit) => collate(a.doc.title, b.doc.title) || cmp(a.doc.id, b.doc.id);
    const issued = (h: SearchHit) => h.doc.issued ?? '';
    hits.sort(sort === 'relevance' ? (a, b) => b.score - a.score || byTitle(a, b)
      : sort === 'title' ? byTitle
        : sort === 'id' ? (a, b) => cmp(a.doc.id, b.doc.id)
          : sort === 'newest' ? (a, b) => cmp(issued(b), issued(a)) || byTitle(a, b)
            : (a, b) => cmp(issued(a), issued(b)) || byTitle(a, b));
    // Facet counts: for facet F, the documents that pass everything except F's own filter.
    const facets = {} as Record<FacetName, FacetCount[]>;
    const selected = (f: FacetName) => new Set(compiled.resolved.filter((r) => r.facet === f && !r.negated).map((r) => r.value));
    for (const f of FACETS) {
      const docs: SearchDoc[] = [];
      pool.forEach((x, i) => { const fl = fails[i]; if (fl && fl.every((g) => g === f)) docs.push(x.doc); });
      facets[f] = this.count(f, docs, selected(f), collections);
    }
    const start = (p.page - 1) * p.pageSize;
    return { total: hits.length, page: p.page, pageSize: p.pageSize, sort, hits: hits.slice(start, start + p.pageSize), facets, resolved: compiled.resolved, ms: performance.now() - t0 };
  }

  private label(iri: string) { return this.vocab.label(iri) ?? compactIri(iri); }

  /** Region and its ancestors inside its own hierarchy (for facet counts). */
  private chain(iri: string): string[] {
    let c = this.chainCache.get(iri);
    if (!c) {
      const seen = new Set<string>([iri]);
      const stack = [iri];
      while (stack.length) for (const p of this.regionParents.get(stack.pop()!) ?? []) if (!seen.has(p)) { seen.add(p); stack.push(p); }
      c = [...seen];
      this.chainCache.set(iri, c);
    }
    return c;
  }
  private depth(iri: string, guard = 0): number {
    const have = this.depthCache.get(iri);
    if (have !== undefined) return have;
    const ps = this.regionParents.get(iri) ?? [];
    const d = ps.length && guard < 64 ? 1 + Math.max(...ps.map((p) => this.depth(p, guard + 1))) : 0;
    this.depthCache.set(iri, d);
    return d;
  }

  /** A document's values of each facet (except collections, which change without the document), computed once. */
  private facetValues(d: SearchDoc): Record<Exclude<FacetName, 'collection'>, FacetValue[]> {
    const cached = this.valueCache.get(d);
    if (cached) return cached;
    const term = (iri: string): FacetValue => ({ value: this.compiler.termValue(iri), label: this.label(iri), iri });
    const same = (v: string): FacetValue => ({ value: v, label: v });
    const v = {
      species: d.species.map(term), method: d.method.map(term), expression: d.expression.map(term),
      region: [...new Set(d.region.flatMap((r) => this.chain(r)))].map(term),
      modality: d.modality.map((m) => ({ value: m, label: MODALITIES.find((x) => x.value === m)!.label })),
      compartment: d.compartments.map((c) => ({ value: c, label: c.replace(/-/g, ' ') })),
      gene: [...new Set(d.genes)].map(same), tag: [...new Set(d.tags)].map(same), identifier: [...new Set(d.identifiers)].map(same),
      publication: d.publications.map((p) => ({ value: p, label: `doi:${p}`, iri: `${NS.doi}${p}` })),
      creator: [...new Set(d.creators.map((c) => c.name))].map(same),
    };
    this.valueCache.set(d, v);
    return v;
  }

  private count(f: FacetName, docs: SearchDoc[], sel: Set<string>, collections: CollectionView): FacetCount[] {
    const counts = new Map<string, { label: string; count: number; iri?: string }>();
    const bump = (value: string, label: string, iri?: string) => {
      const c = counts.get(value);
      if (c) c.count++; else counts.set(value, { label, count: 1, iri });
    };
    const cols = f === 'collection' ? collections.all() : [];
    for (const d of docs) {
      if (f === 'collection') { for (const c of cols) if (c.has(d)) bump(c.id, c.title); continue; }
      for (const x of this.facetValues(d)[f]) bump(x.value, x.label, x.iri);
    }
    const selFolded = new Set([...sel].map(fold));
    let entries = [...counts].map(([value, c]) => ({ value, label: c.label, count: c.count, iri: c.iri, selected: sel.has(value) || (selFolded.size > 0 && selFolded.has(fold(value))) }) as FacetCount);
    if (f === 'region') {
      // Keep a broader region only when it adds something: drop it when one of its direct children has the same count.
      const byIri = new Map(entries.map((e) => [e.iri!, e]));
      const redundant = new Set<string>();
      for (const e of entries) for (const p of this.regionParents.get(e.iri!) ?? []) { const pe = byIri.get(p); if (pe && pe.count === e.count) redundant.add(p); }
      entries = entries.filter((e) => e.selected || !redundant.has(e.iri!));
      for (const e of entries) e.depth = this.depth(e.iri!);
      entries.sort((a, b) => b.count - a.count || (a.depth ?? 0) - (b.depth ?? 0) || collate(a.label, b.label));
    } else entries.sort((a, b) => b.count - a.count || collate(a.label, b.label));
    const top = entries.slice(0, FACET_LIMIT);
    for (const e of entries.slice(FACET_LIMIT)) if (e.selected) top.push(e);
    return top;
  }
}
