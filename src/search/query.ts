/**
 * Search requests: facet parameters and the query language of `q`, compiled to predicates over
 * SearchDocs. Between facets: AND. Repeated values of one facet: OR (`<facet>.op=and` for AND).
 * A value starting with `!` excludes (NOT). In `q`: words, "phrases", `facet:value`,
 * `facet:"a value"`, AND / OR / NOT (or a leading `-`), parentheses; juxtaposition is AND.
 */
import type { Vocabulary, VocabKind } from '../model/vocabulary.js';
import { compactIri } from '../model/namespaces.js';
import { findCompartment, COMPARTMENTS } from '../model/compartment-names.js';
import { MODALITIES, type SearchDoc } from './documents.js';
import { doiOf, fold, orcidOf, wordMatches, words } from './text.js';

export const FACETS = ['species', 'region', 'method', 'modality', 'gene', 'expression', 'compartment', 'tag', 'collection', 'publication', 'creator', 'identifier'] as const;
export type FacetName = (typeof FACETS)[number];

export const FACET_LABELS: Record<FacetName, string> = {
  species: 'Species', region: 'Brain region', method: 'Microscopy method', modality: 'Imaging modality', gene: 'Gene',
  expression: 'Expression change', compartment: 'Compartment', tag: 'Tag', collection: 'Collection', publication: 'Publication (DOI)',
  creator: 'Creator', identifier: 'Source identifier',
};

/** Other names accepted for facet parameters and in `q` (`doi:10.…`, `brainRegion=…`). */
export const FACET_ALIASES: Record<string, FacetName> = {
  brainregion: 'region', 'brain-region': 'region', microscopymethod: 'method', microscopy: 'method', expressionkind: 'expression',
  compartments: 'compartment', tags: 'tag', doi: 'publication', publications: 'publication', author: 'creator', creators: 'creator',
  id: 'identifier', identifiers: 'identifier', genes: 'gene', taxon: 'species', collections: 'collection',
  ...Object.fromEntries(FACETS.map((f) => [f, f])),
};

export const SORTS = ['relevance', 'title', 'newest', 'oldest', 'id'] as const;
export type SortKey = (typeof SORTS)[number];

export interface SearchParams {
  q?: string;
  filters: Partial<Record<FacetName, string[]>>;
  ops: Partial<Record<FacetName, 'and' | 'or'>>;
  page: number;
  pageSize: number;
  sort?: SortKey;
}

export interface ParamProblem { parameter: string; value?: string; message: string; suggestions?: Array<{ value: string; label: string }> }

export class SearchError extends Error {
  constructor(readonly problems: ParamProblem[]) {
    super(problems.map((p) => `${p.parameter}${p.value !== undefined ? `="${p.value}"` : ''}: ${p.message}`).join('; '));
    this.name = 'SearchError';
  }
}

export const MAX_PAGE_SIZE = 1000;

/** Read search parameters from (key, value) pairs: URL query entries or CLI options. Unknown keys are errors, except those in `ignore`. */
export function parseParams(entries: Iterable<[string, unknown]>, opts: { defaultPageSize: number; ignore?: string[] }): SearchParams {
  const p: SearchParams = { filters: {}, ops: {}, page: 1, pageSize: opts.defaultPageSize };
  const problems: ParamProblem[] = [];
  const ignore = new Set(opts.ignore ?? []);
  const known = ['q', 'page', 'pageSize', 'sort', ...FACETS.flatMap((f) => [f, `${f}.op`])];
  for (const [key, raw] of entries) {
    if (ignore.has(key)) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.some((v) => typeof v !== 'string')) { problems.push({ parameter: key, message: 'expected a plain text value (no [brackets] in the parameter name)' }); continue; }
    const values = (list as string[]).map((v) => v.trim()).filter((v) => v !== '');
    const k = key.toLowerCase();
    const opMatch = /^(.+)\.op$/.exec(k);
    if (k === 'q') { if (values.length) p.q = values.join(' '); }
    else if (k === 'page' || k === 'pagesize') {
      const v = values.at(-1);
      if (v === undefined) continue;
      const n = Number(v);
      const max = k === 'page' ? 1e6 : MAX_PAGE_SIZE;
      if (!/^\d+$/.test(v) || n < 1 || n > max) problems.push({ parameter: key, value: v, message: `expected a whole number from 1 to ${max}` });
      else if (k === 'page') p.page = n; else p.pageSize = n;
    } else if (k === 'sort') {
      const v = values.at(-1);
      if (v === undefined) continue;
      if (!(SORTS as readonly string[]).includes(v)) problems.push({ parameter: key, value: v, message: `expected one of: ${SORTS.join(', ')}` });
      else p.sort = v as SortKey;
    } else if (opMatch && FACET_ALIASES[opMatch[1]]) {
      const v = values.at(-1)?.toLowerCase();
      if (v === undefined) continue;
      if (v !== 'and' && v !== 'or') problems.push({ parameter: key, value: v, message: 'expected "and" or "or": how several values of this facet combine' });
      else p.ops[FACET_ALIASES[opMatch[1]]] = v;
    } else if (FACET_ALIASES[k]) {
      const f = FACET_ALIASES[k];
      // "a, b" in one value is two values (CLI and hand-written URLs); repeated parameters too.
      const split = values.flatMap((v) => (f === 'creator' || f === 'identifier' ? [v] : v.split(/\s*,\s*/))).filter(Boolean);
      if (split.length) (p.filters[f] ??= []).push(...split);
    } else {
      problems.push({ parameter: key, message: `unknown search parameter; use q, page, pageSize, sort, or a facet: ${FACETS.join(', ')} (repeat a facet for OR, add <facet>.op=and for AND, prefix a value with ! to exclude it)${known.includes(key) ? '' : ''}` });
    }
  }
  if (problems.length) throw new SearchError(problems);
  return p;
}

/** What the compiler needs to know besides the vocabulary: the collections the caller may read. */
export interface CollectionLookup {
  find(ref: string): { id: string; title: string; has(doc: SearchDoc): boolean } | undefined;
  suggest(ref: string): Array<{ value: string; label: string }>;
}

export type Pred = (d: SearchDoc) => boolean;
/** A resolved facet value (for display and for echoing the request). */
export interface ResolvedValue { facet: FacetName; input: string; value: string; label: string; iri?: string; negated: boolean; expanded?: number }

export interface Compiled {
  /** The `q` expression (undefined when there is none). */
  q?: Pred;
  /** One predicate per facet parameter. */
  facets: Array<{ facet: FacetName; pred: Pred }>;
  /** Words and phrases of `q` that are not negated: used for ranking. */
  rankTokens: string[];
  resolved: ResolvedValue[];
}

const VOCAB_KIND: Partial<Record<FacetName, VocabKind>> = { species: 'species', region: 'brainRegion', method: 'microscopyMethod', expression: 'expressionKind' };

export class Compiler {
  private expansion = new Map<string, Set<string>>();
  private values = new Map<string, string>();
  constructor(private readonly vocab: Vocabulary) {}

  descendants(iri: string): Set<string> {
    let s = this.expansion.get(iri);
    if (!s) { s = this.vocab.descendants(iri); this.expansion.set(iri, s); }
    return s;
  }

  /** The value that names a term in URLs: notation-like tail for our own vocabularies, else the CURIE. */
  termValue(iri: string): string {
    let v = this.values.get(iri);
    if (v === undefined) {
      const c = compactIri(iri);
      v = c.startsWith('syndbv:') ? c.slice(c.lastIndexOf('/') + 1) : c;
      this.values.set(iri, v);
    }
    return v;
  }

  /** Resolve one facet value to a predicate (or a problem). */
  value(facet: FacetName, input: string, collections: CollectionLookup, parameter: string): { pred: Pred; resolved: ResolvedValue } | { problem: ParamProblem } {
    const negated = input.startsWith('!');
    const v = negated ? input.slice(1).trim() : input;
    const done = (pred: Pred, value: string, label: string, iri?: string, expanded?: number) =>
      ({ pred: negated ? (d: SearchDoc) => !pred(d) : pred, resolved: { facet, input, value, label, iri, negated, expanded } });
    const fail = (message: string, suggestions?: Array<{ value: string; label: string }>) => ({ problem: { parameter, value: input, message, ...(suggestions?.length ? { suggestions } : {}) } });
    if (!v) return fail('empty value after "!"');
    const kind = VOCAB_KIND[facet];
    if (kind) {
      const r = this.vocab.resolve(kind, v);
      if ('iri' in r) {
        const set = this.descendants(r.iri);
        const field = facet === 'expression' ? 'expression' : facet;
        const pred: Pred = (d) => (d[field as 'species'] as string[]).some((t) => set.has(t));
        return done(pred, this.termValue(r.iri), this.vocab.label(r.iri) ?? compactIri(r.iri), r.iri, set.size);
      }
      if (facet === 'method') { const m = modality(v); if (m) return done((d) => d.modality.includes(m.value), m.value, m.label); }
      return fail(r.error, r.suggestions.map((s) => ({ value: this.termValue(s.iri), label: s.label })));
    }
    switch (facet) {
      case 'modality': {
        const m = modality(v);
        return m ? done((d) => d.modality.includes(m.value), m.value, m.label)
          : fail(`unknown imaging modality; expected one of: ${MODALITIES.map((x) => `${x.value} (${x.label})`).join(', ')}`);
      }
      case 'compartment': {
        const c = findCompartment(v);
        return c ? done((d) => d.compartments.includes(c.slug), c.slug, c.slug.replace(/-/g, ' '))
          : fail(`unknown compartment; expected one of: ${COMPARTMENTS.map((x) => x.slug).join(', ')}`);
      }
      case 'gene': { const k = fold(v); return done((d) => d.genes.some((g) => fold(g) === k), v, v); }
      case 'tag': { const k = fold(v); return done((d) => d.tags.some((g) => fold(g) === k), v, v); }
      case 'identifier': { const k = fold(v); return done((d) => d.identifiers.some((g) => fold(g) === k), v, v); }
      case 'publication': {
        const doi = doiOf(v);
        return doi ? done((d) => d.publications.includes(doi), doi, `doi:${doi}`)
          : fail('not a DOI; expected e.g. 10.1126/science.aay3134, doi:10.1126/science.aay3134 or https://doi.org/10.1126/science.aay3134');
      }
      case 'creator': {
        const orcid = orcidOf(v);
        if (orcid) return done((d) => d.creators.some((c) => c.orcid === orcid), orcid, `ORCID ${orcid}`);
        const ws = words(v);
        if (!ws.length) return fail('expected a name (or part of one) or an ORCID iD');
        return done((d) => d.creators.some((c) => { const cw = words(c.name); return ws.every((w) => wordMatches(cw, w)); }), v, v);
      }
      case 'collection': {
        const c = collections.find(v);
        return c ? done((d) => c.has(d), c.id, c.title) : fail('no such collection (or it is private); give a collection id from /collections', collections.suggest(v));
      }
      default: return fail('unsupported facet');
    }
  }

  compile(p: SearchParams, collections: CollectionLookup): Compiled {
    const problems: ParamProblem[] = [];
    const out: Compiled = { facets: [], rankTokens: [], resolved: [] };
    for (const f of FACETS) {
      const values = p.filters[f];
      if (!values?.length) continue;
      const preds: Pred[] = [];
      const neg: Pred[] = [];
      for (const input of values) {
        const r = this.value(f, input, collections, f);
        if ('problem' in r) { problems.push(r.problem); continue; }
        out.resolved.push(r.resolved);
        (r.resolved.negated ? neg : preds).push(r.pred);
      }
      const and = p.ops[f] === 'and';
      out.facets.push({
        facet: f,
        pred: (d) => (preds.length === 0 || (and ? preds.every((x) => x(d)) : preds.some((x) => x(d)))) && neg.every((x) => x(d)),
      });
    }
    if (p.q) {
      try {
        out.q = new QParser(p.q, this, collections, out, problems).parse();
      } catch (e) {
        if (e instanceof QSyntax) problems.push({ parameter: 'q', value: p.q, message: e.message });
        else throw e;
      }
    }
    if (problems.length) throw new SearchError(problems);
    return out;
  }
}

function modality(v: string) {
  const k = fold(v).trim();
  return MODALITIES.find((m) => m.value === k || (m.aliases as readonly string[]).includes(k));
}

class QSyntax extends Error {}

type Tok = { t: '(' | ')' | 'AND' | 'OR' | 'NOT' } | { t: 'term'; facet?: string; value: string; phrase: boolean; neg: boolean };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\()|(\))|(-)?(?:([A-Za-z][\w.-]*):)?(?:"([^"]*)"|([^\s()"]+)))/gy;
  let i = 0;
  while (i < q.length) {
    if (/^\s*$/.test(q.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(q);
    if (!m) {
      if (q.slice(i).trim().startsWith('"')) throw new QSyntax('a quotation mark is not closed');
      throw new QSyntax(`cannot read the query at "${q.slice(i).trim().slice(0, 20)}"`);
    }
    i = re.lastIndex;
    if (m[1]) out.push({ t: '(' });
    else if (m[2]) out.push({ t: ')' });
    else {
      const phrase = m[5] !== undefined;
      const value = phrase ? m[5] : m[6];
      if (!m[3] && !m[4] && !phrase && (value === 'AND' || value === 'OR' || value === 'NOT')) out.push({ t: value });
      else if (!m[3] && !m[4] && !phrase && value === '&&') out.push({ t: 'AND' });
      else if (!m[3] && !m[4] && !phrase && value === '||') out.push({ t: 'OR' });
      else out.push({ t: 'term', facet: m[4], value, phrase, neg: !!m[3] });
    }
  }
  return out;
}

class QParser {
  private toks: Tok[];
  private i = 0;
  private negDepth = 0;
  constructor(q: string, private c: Compiler, private cols: CollectionLookup, private out: Compiled, private problems: ParamProblem[]) {
    this.toks = tokenize(q);
  }
  parse(): Pred {
    if (!this.toks.length) return () => true;
    const e = this.or();
    if (this.i < this.toks.length) throw new QSyntax(this.toks[this.i].t === ')' ? 'a closing parenthesis has no opening one' : 'unexpected text after the query');
    return e;
  }
  private peek() { return this.toks[this.i]; }
  private or(): Pred {
    const parts = [this.and()];
    while (this.peek()?.t === 'OR') { this.i++; parts.push(this.and()); }
    return parts.length === 1 ? parts[0] : (d) => parts.some((p) => p(d));
  }
  private and(): Pred {
    const parts = [this.not()];
    for (;;) {
      const t = this.peek();
      if (!t || t.t === ')' || t.t === 'OR') break;
      if (t.t === 'AND') this.i++;
      parts.push(this.not());
    }
    return parts.length === 1 ? parts[0] : (d) => parts.every((p) => p(d));
  }
  private not(): Pred {
    if (this.peek()?.t === 'NOT') {
      this.i++;
      this.negDepth++;
      const p = this.not();
      this.negDepth--;
      return (d) => !p(d);
    }
    return this.atom();
  }
  private atom(): Pred {
    const t = this.toks[this.i++];
    if (!t) throw new QSyntax('the query ends where a word or value was expected');
    if (t.t === '(') {
      const e = this.or();
      if (this.toks[this.i++]?.t !== ')') throw new QSyntax('an opening parenthesis is not closed');
      return e;
    }
    if (t.t !== 'term') throw new QSyntax(`"${t.t}" must stand between two search terms`);
    if (t.neg) this.negDepth++;
    const p = this.term(t);
    if (t.neg) this.negDepth--;
    return t.neg ? (d) => !p(d) : p;
  }
  private term(t: Extract<Tok, { t: 'term' }>): Pred {
    const facet = t.facet ? FACET_ALIASES[t.facet.toLowerCase()] : undefined;
    if (facet) {
      const r = this.c.value(facet, t.value, this.cols, `q (${t.facet}:)`);
      if ('problem' in r) { this.problems.push(r.problem); return () => false; }
      this.out.resolved.push({ ...r.resolved, negated: r.resolved.negated !== (this.negDepth % 2 === 1) });
      return r.pred;
    }
    const raw = t.facet ? `${t.facet}:${t.value}` : t.value;
    if (t.facet) {
      // A CURIE such as UBERON:0000956 or NCBITaxon:10090: the term and everything below it.
      for (const f of ['region', 'species', 'method'] as const) {
        const r = this.c.value(f, raw, this.cols, 'q');
        if (!('problem' in r)) { this.out.resolved.push({ ...r.resolved, negated: this.negDepth % 2 === 1 }); return r.pred; }
      }
    }
    const ws = words(raw);
    if (!ws.length) return () => true;
    if (this.negDepth % 2 === 0) this.out.rankTokens.push(...ws);
    if (t.phrase && ws.length > 1) {
      const needle = ` ${ws.join(' ')} `;
      return (d) => d.text.includes(needle);
    }
    return (d) => ws.every((w) => wordMatches(d.w.all, w));
  }
}

/** Relevance of a document to the `q` words: title over keywords/tags over term labels over description. */
export function score(d: SearchDoc, tokens: readonly string[]): number {
  let s = 0;
  for (const t of tokens) {
    if (wordMatches(d.w.title, t)) s += 8;
    else if (wordMatches(d.w.keywords, t)) s += 4;
    else if (wordMatches(d.w.terms, t)) s += 3;
    else if (wordMatches(d.w.description, t)) s += 1;
  }
  return s;
}
