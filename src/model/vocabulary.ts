/**
 * The controlled vocabularies (ontologies/vocab-*.ttl, built by scripts/build-vocabularies.ts)
 * loaded in memory: term resolution for user input, labels, types and the region hierarchy.
 *
 * Resolution accepts, case-insensitively and with whitespace normalised:
 *   - a full IRI of a term of the requested kind;
 *   - a CURIE: `MBA:329`, `obo:MBA_329`, `NCBITaxon:10090`, `NCBI:txid10090`, `spdx:CC-BY-4.0`, `syndbv:method/SBEM`;
 *   - a notation (`CC-BY-4.0`, `SBEM`, `MBA:385`), the preferred label, or any alternative / hidden label.
 * When a label names several terms, the preference is:
 *   1. brain regions: the Allen Mouse Brain Atlas term, then the Allen Human Brain Atlas term, then UBERON
 *      (with `{ species: NCBITaxon:9606 }` the human atlas comes first);
 *   2. then a match on the preferred label / notation over an alternative label, over a hidden label.
 *   3. then the term that contains all the others (HBA abbreviations name a structure and its left/right parts).
 * If that still leaves a tie, the input is reported as ambiguous with the candidates as suggestions.
 * Unknown input yields at most 5 suggestions, ranked by edit distance and word overlap.
 */
import fs from 'node:fs';
import path from 'node:path';
import N3 from 'n3';
import { NS, compactIri, expandCurie } from './namespaces.js';
import { VOCAB_FILES, ontologiesDir } from './vocabulary-paths.js';

export type VocabKind = 'brainRegion' | 'species' | 'microscopyMethod' | 'expressionKind' | 'license';

/** rdf:type that marks a term of each kind. */
export const KIND_CLASS: Record<VocabKind, string> = {
  brainRegion: `${NS.syndb}BrainRegion`,
  species: `${NS.syndb}Taxon`,
  microscopyMethod: `${NS.syndb}MicroscopyMethod`,
  expressionKind: `${NS.syndb}ExpressionKind`,
  license: `${NS.dcterms}LicenseDocument`,
};

const KIND_NOUN: Record<VocabKind, string> = {
  brainRegion: 'brain region',
  species: 'species',
  microscopyMethod: 'microscopy method',
  expressionKind: 'kind of expression change',
  license: 'license',
};

const KIND_EXAMPLES: Record<VocabKind, string> = {
  brainRegion: 'MBA:385, UBERON:0000956 or "primary visual area"',
  species: 'NCBITaxon:10090 or "mouse"',
  microscopyMethod: 'SBEM, "two-photon" or "FIB-SEM"',
  expressionKind: 'knock-out, knock-in, knock-down, knock-sideways or overexpression',
  license: 'CC-BY-4.0 or "CC BY 4.0"',
};

export interface Suggestion { iri: string; label: string; curie: string }
export type ResolveResult = { iri: string } | { error: string; suggestions: Suggestion[] };
export interface ResolveOptions {
  /** Species of the dataset (IRI or CURIE); NCBITaxon:9606 puts human atlas terms before mouse ones. */
  species?: string;
}

const P = {
  type: `${NS.rdf}type`,
  pref: `${NS.skos}prefLabel`,
  alt: `${NS.skos}altLabel`,
  hidden: `${NS.skos}hiddenLabel`,
  notation: `${NS.skos}notation`,
  rdfsLabel: `${NS.rdfs}label`,
  partOf: `${NS.syndb}partOf`,
  broader: `${NS.skos}broader`,
  broadMatch: `${NS.skos}broadMatch`,
  exactMatch: `${NS.skos}exactMatch`,
};

/** Label strength: lower is better. */
const STRENGTH: Record<string, number> = { [P.pref]: 0, [P.notation]: 0, [P.rdfsLabel]: 0, [P.alt]: 1, [P.hidden]: 2 };

interface Term {
  iri: string;
  types: string[];
  kind?: VocabKind;
  prefLabel?: string;
  labels: Array<{ text: string; strength: number; key: string }>;
  parents: Set<string>;
  children: Set<string>;
  equivalents: Set<string>;
}

/** Lower-case, NFKC, trimmed, inner whitespace collapsed. */
export function normaliseKey(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Looser key: also ignores punctuation and hyphens ("knock out" = "knock-out", "c elegans" = "C. elegans"). */
function looseKey(s: string): string {
  return normaliseKey(s).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

const sim = (a: string, b: string) => 1 - levenshtein(a, b) / Math.max(a.length, b.length, 1);

/** Similarity of user input to a label: whole-string edit similarity or fuzzy word overlap. */
function similarity(input: string, inputTokens: string[], label: string): number {
  const whole = sim(input, label);
  const tokens = label.split(' ').filter(Boolean);
  if (!inputTokens.length || !tokens.length) return whole;
  let sum = 0;
  for (const a of inputTokens) {
    let best = 0;
    for (const b of tokens) {
      const s = a.length >= 3 && b.startsWith(a) ? Math.max(0.9, sim(a, b)) : sim(a, b);
      if (s > best) best = s;
    }
    sum += best >= 0.6 ? best : 0;
  }
  const coverage = inputTokens.length / Math.max(inputTokens.length, tokens.length);
  return Math.max(whole, (sum / inputTokens.length) * Math.sqrt(coverage));
}

export class Vocabulary {
  private readonly terms = new Map<string, Term>();
  private readonly exact = new Map<string, Array<{ iri: string; strength: number }>>();
  private readonly loose = new Map<string, Array<{ iri: string; strength: number }>>();
  private readonly quads: N3.Quad[] = [];
  private readonly nquadsCache = new Map<string, string>();

  private constructor(private readonly sourceFiles: string[]) {}

  /** Build from Turtle texts (the vocab files); `name` is used in error messages. */
  static fromTurtle(sources: Array<{ name: string; text: string }>): Vocabulary {
    const v = new Vocabulary(sources.map((s) => s.name));
    for (const s of sources) {
      let quads: N3.Quad[];
      try {
        quads = new N3.Parser({ format: 'text/turtle' }).parse(s.text);
      } catch (e) {
        throw new Error(`vocabulary file ${s.name} is not valid Turtle: ${(e as Error).message}`);
      }
      for (const q of quads) v.quads.push(q);
    }
    v.index();
    return v;
  }

  /** Read ontologies/vocab-*.ttl from the package (or from `dir`). */
  static async load(dir: string = ontologiesDir()): Promise<Vocabulary> {
    const sources = await Promise.all(VOCAB_FILES.map(async (name) => {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (e) {
        throw new Error(`vocabulary file missing: ${file} (build it with: npm run build && npm run vocab): ${(e as Error).message}`);
      }
      return { name: file, text };
    }));
    return Vocabulary.fromTurtle(sources);
  }

  private term(iri: string): Term {
    let t = this.terms.get(iri);
    if (!t) {
      t = { iri, types: [], labels: [], parents: new Set(), children: new Set(), equivalents: new Set() };
      this.terms.set(iri, t);
    }
    return t;
  }

  private index(): void {
    const kindByClass = new Map(Object.entries(KIND_CLASS).map(([k, c]) => [c, k as VocabKind]));
    const addKey = (map: Map<string, Array<{ iri: string; strength: number }>>, key: string, iri: string, strength: number) => {
      if (!key) return;
      const list = map.get(key) ?? [];
      const existing = list.find((x) => x.iri === iri);
      if (existing) existing.strength = Math.min(existing.strength, strength);
      else list.push({ iri, strength });
      map.set(key, list);
    };
    for (const q of this.quads) {
      if (q.subject.termType !== 'NamedNode') continue;
      const s = q.subject.value;
      const p = q.predicate.value;
      const o = q.object;
      if (p === P.type && o.termType === 'NamedNode') {
        const t = this.term(s);
        t.types.push(o.value);
        t.kind ??= kindByClass.get(o.value);
      } else if (p in STRENGTH && o.termType === 'Literal') {
        const t = this.term(s);
        const strength = STRENGTH[p];
        t.labels.push({ text: o.value, strength, key: looseKey(o.value) });
        if (p === P.pref && (!t.prefLabel || o.language === 'en')) t.prefLabel = o.value;
        addKey(this.exact, normaliseKey(o.value), s, strength);
        addKey(this.loose, looseKey(o.value), s, strength);
      } else if ((p === P.partOf || p === P.broader || p === P.broadMatch) && o.termType === 'NamedNode') {
        this.term(s).parents.add(o.value);
        this.term(o.value).children.add(s);
      } else if (p === P.exactMatch && o.termType === 'NamedNode') {
        this.term(s).equivalents.add(o.value);
        this.term(o.value).equivalents.add(s);
      }
    }
  }

  /** The files this vocabulary was loaded from. */
  files(): string[] { return [...this.sourceFiles]; }

  /** Number of triples loaded. */
  get size(): number { return this.quads.length; }

  /** Is this IRI a term (or concept scheme) of the vocabularies? */
  has(iri: string): boolean {
    const t = this.terms.get(iri);
    return !!t && t.types.length > 0;
  }

  /** rdf:type IRIs of a term ([] if unknown). */
  typesOf(iri: string): string[] { return [...(this.terms.get(iri)?.types ?? [])]; }

  kindOf(iri: string): VocabKind | undefined { return this.terms.get(iri)?.kind; }

  /** Preferred label (English when there is one); undefined for an unknown or unlabelled term. */
  label(iri: string): string | undefined { return this.terms.get(iri)?.prefLabel; }

  /** All labels of a term: preferred first. */
  labels(iri: string): string[] {
    const t = this.terms.get(iri);
    if (!t) return [];
    return [...new Set([...(t.prefLabel ? [t.prefLabel] : []), ...[...t.labels].sort((a, b) => a.strength - b.strength).map((l) => l.text)])];
  }

  /** CURIE for display: `MBA:385`, `NCBITaxon:10090`, `spdx:CC-BY-4.0`, `syndbv:method/SBEM`. */
  curie(iri: string): string { return compactIri(iri); }

  /** Every term IRI of one kind, sorted. */
  termsOf(kind: VocabKind): string[] {
    return [...this.terms.values()].filter((t) => t.kind === kind).map((t) => t.iri).sort();
  }

  /** The term and everything below it (part-of / broader / subclass), across exact UBERON mappings. */
  descendants(iri: string): Set<string> { return this.walk(iri, 'children'); }

  /** The term and everything above it, across exact UBERON mappings. */
  ancestors(iri: string): Set<string> { return this.walk(iri, 'parents'); }

  private walk(iri: string, dir: 'children' | 'parents'): Set<string> {
    const seen = new Set<string>([iri]);
    const stack = [iri];
    while (stack.length) {
      const t = this.terms.get(stack.pop()!);
      if (!t) continue;
      for (const n of [...t.equivalents, ...t[dir]]) {
        if (!seen.has(n)) { seen.add(n); stack.push(n); }
      }
    }
    return seen;
  }

  /** Every vocabulary triple as N-Quads in the named graph `graphIri` (cached per graph). */
  quadsNQuads(graphIri: string): string {
    let text = this.nquadsCache.get(graphIri);
    if (text === undefined) {
      const g = N3.DataFactory.namedNode(graphIri);
      const w = new N3.Writer({ format: 'N-Quads' });
      const parts: string[] = [];
      for (const q of this.quads) parts.push(w.quadToString(q.subject, q.predicate, q.object, g));
      text = parts.join('');
      this.nquadsCache.set(graphIri, text);
    }
    return text;
  }

  /** Every vocabulary triple as N-Triples. */
  nTriples(): string {
    const w = new N3.Writer({ format: 'N-Triples' });
    return this.quads.map((q) => w.quadToString(q.subject, q.predicate, q.object)).join('');
  }

  private sourceRank(kind: VocabKind, iri: string, opts?: ResolveOptions): number {
    if (kind !== 'brainRegion') return 0;
    const humanFirst = !!opts?.species && (opts.species === `${NS.obo}NCBITaxon_9606` || normaliseKey(opts.species) === 'ncbitaxon:9606');
    if (iri.startsWith(`${NS.obo}MBA_`)) return humanFirst ? 1 : 0;
    if (iri.startsWith(`${NS.obo}HBA_`)) return humanFirst ? 0 : 1;
    return 2;
  }

  private suggestion(iri: string): Suggestion {
    return { iri, label: this.label(iri) ?? this.labels(iri)[0] ?? this.curie(iri), curie: this.curie(iri) };
  }

  private describe(iri: string): string {
    const s = this.suggestion(iri);
    return s.label === s.curie ? s.curie : `"${s.label}" (${s.curie})`;
  }

  /** Resolve user input to a term IRI of `kind`, or explain why not with suggestions. */
  resolve(kind: VocabKind, input: string, opts?: ResolveOptions): ResolveResult {
    const noun = KIND_NOUN[kind];
    if (typeof input !== 'string' || !input.trim()) {
      return { error: `${noun} is empty: expected a CURIE, an IRI or a label, e.g. ${KIND_EXAMPLES[kind]}`, suggestions: [] };
    }
    const raw = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
    const wrongKind = (iri: string): ResolveResult => {
      const k = this.kindOf(iri);
      return {
        error: `${this.describe(iri)} is ${k ? `a ${KIND_NOUN[k]}` : 'not a controlled term'}, not a ${noun}; expected e.g. ${KIND_EXAMPLES[kind]}`,
        suggestions: this.suggest(kind, raw, opts),
      };
    };
    const accept = (iri: string): ResolveResult | undefined => {
      if (!this.has(iri)) return undefined;
      return this.kindOf(iri) === kind ? { iri } : wrongKind(iri);
    };

    // Full IRI (angle brackets tolerated).
    const bare = raw.replace(/^<(.*)>$/, '$1');
    if (/^https?:\/\//i.test(bare)) {
      const hit = accept(bare) ?? accept(bare.replace(/^https:\/\/purl\.obolibrary\.org/, 'http://purl.obolibrary.org'));
      if (hit) return hit;
      return {
        error: `unknown ${noun} IRI <${bare}>: it is not in the SynDB ${noun} vocabulary; expected e.g. ${KIND_EXAMPLES[kind]}`,
        suggestions: this.suggest(kind, decodeURIComponent(bare.replace(/^.*[/#]/, '')).replace(/_/g, ':'), opts),
      };
    }

    // CURIEs with a known prefix (obo:, spdx:, syndbv:, …) and NCBI's own "txid" form.
    const txid = /^(?:ncbi:)?txid(\d+)$/i.exec(raw);
    if (txid) {
      const hit = accept(`${NS.obo}NCBITaxon_${txid[1]}`);
      if (hit) return hit;
    }
    if (raw.includes(':')) {
      const expanded = expandCurie(raw);
      if (expanded) {
        const hit = accept(expanded);
        if (hit) return hit;
      }
    }

    // Labels, synonyms and notations (which include OBO CURIEs such as MBA:385, any case).
    for (const [map, key] of [[this.exact, normaliseKey(raw)], [this.loose, looseKey(raw)]] as const) {
      const hits = (map.get(key) ?? []).filter((h) => this.kindOf(h.iri) === kind);
      if (!hits.length) continue;
      const ranked = hits
        .map((h) => ({ ...h, rank: this.sourceRank(kind, h.iri, opts) }))
        .sort((a, b) => a.rank - b.rank || a.strength - b.strength || (a.iri < b.iri ? -1 : 1));
      const [best, second] = ranked;
      if (!second || second.rank !== best.rank || second.strength !== best.strength) return { iri: best.iri };
      const tied = ranked.filter((h) => h.rank === best.rank && h.strength === best.strength);
      // Atlas abbreviations are shared by a structure and its left / right parts: take the whole.
      const whole = tied.filter((c) => { const d = this.descendants(c.iri); return tied.every((o) => d.has(o.iri)); });
      if (whole.length === 1) return { iri: whole[0].iri };
      return {
        error: `ambiguous ${noun} "${raw}": it names ${tied.length} terms (${tied.slice(0, 5).map((h) => this.describe(h.iri)).join(', ')}); give the CURIE of the one you mean`,
        suggestions: tied.slice(0, 5).map((h) => this.suggestion(h.iri)),
      };
    }

    // A CURIE-looking input with a known shape but no such term, else a plain unknown label.
    const otherKind = [...(this.exact.get(normaliseKey(raw)) ?? [])].find((h) => this.kindOf(h.iri) !== kind);
    if (otherKind) return wrongKind(otherKind.iri);
    const suggestions = this.suggest(kind, raw, opts);
    const closest = suggestions.length ? `; closest: ${suggestions.map((s) => `${s.label} (${s.curie})`).join(', ')}` : '';
    return {
      error: `unknown ${noun} "${raw}": expected a CURIE, an IRI or a label from the SynDB ${noun} vocabulary, e.g. ${KIND_EXAMPLES[kind]}${closest}`,
      suggestions,
    };
  }

  /** At most `limit` terms of `kind` whose labels are closest to `input`. */
  suggest(kind: VocabKind, input: string, opts?: ResolveOptions, limit = 5): Suggestion[] {
    const q = looseKey(input);
    if (!q) return [];
    const qTokens = q.split(' ').filter(Boolean);
    const best = new Map<string, number>();
    for (const t of this.terms.values()) {
      if (t.kind !== kind) continue;
      let score = 0;
      for (const l of t.labels) {
        const s = similarity(q, qTokens, l.key) - l.strength * 0.01;
        if (s > score) score = s;
      }
      if (score >= 0.5) best.set(t.iri, score);
    }
    return [...best]
      .sort((a, b) => b[1] - a[1] || this.sourceRank(kind, a[0], opts) - this.sourceRank(kind, b[0], opts) || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([iri]) => this.suggestion(iri));
  }
}

let cached: Promise<Vocabulary> | undefined;

/** The package's vocabularies, loaded once per process. */
export function loadVocabulary(): Promise<Vocabulary> {
  if (!cached) {
    cached = Vocabulary.load();
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}
