/**
 * The difference between two versions (or a version and the draft) of a dataset: the fields
 * that changed, in plain words, and the added / removed triples.
 *
 * The two graphs name their dataset node and skolemised nodes differently (`…/versions/1/…`
 * vs `…/versions/2/…`, canonical labels that shift when anything changes), so triples are
 * compared by a key in which the graph's own IRI is replaced by a placeholder and every
 * skolem node (`…/.well-known/genid/…`) by a digest of its content.
 */
import { createHash } from 'node:crypto';
import type { Quad, Term } from '../util/rdf.js';
import { df } from '../util/rdf.js';
import { ntTerm } from '../util/nt-term.js';
import { NS, compactIri } from '../model/namespaces.js';

export interface GraphSide {
  /** The dataset node (the draft or version IRI); its graph's IRI space. */
  subject: string;
  quads: Quad[];
}

export interface FieldChange {
  /** JSON field name (INTERFACE.md "Dataset JSON") or a CURIE for other properties. */
  field: string;
  property: string;
  from: string[];
  to: string[];
  added: string[];
  removed: string[];
  /** The change in one sentence. */
  text: string;
}

export interface GraphDiff {
  changes: FieldChange[];
  /** N-Triples lines of `to` that `from` lacks, and of `from` that `to` lacks (sorted). */
  added: string[];
  removed: string[];
}

const GENID = '/.well-known/genid/';

/** Names and the order used for plain-words output (dataset-level properties). */
const FIELDS: Array<[string, string]> = [
  [`${NS.dcterms}title`, 'title'], [`${NS.dcterms}description`, 'description'],
  [`${NS.prov}qualifiedAttribution`, 'creators (in order)'], [`${NS.dcterms}creator`, 'creators'],
  [`${NS.dcterms}license`, 'license'], [`${NS.syndb}species`, 'species'], [`${NS.syndb}strain`, 'strain'],
  [`${NS.syndb}brainRegion`, 'brain region'], [`${NS.syndb}microscopyMethod`, 'microscopy method'],
  [`${NS.syndb}geneticManipulation`, 'genetic manipulations'], [`${NS.syndb}compartment`, 'compartments'],
  [`${NS.syndb}specimen`, 'specimens'], [`${NS.dcterms}isReferencedBy`, 'article the data supplement'],
  [`${NS.dcterms}references`, 'related papers'], [`${NS.prov}wasDerivedFrom`, 'derived from'],
  [`${NS.syndb}sourceTable`, 'source tables'], [`${NS.dcat}keyword`, 'keywords'], [`${NS.syndb}tag`, 'tags'],
  [`${NS.dcterms}identifier`, 'identifiers'], [`${NS.syndb}doi`, 'DOI'], [`${NS.dcterms}accessRights`, 'access'],
  [`${NS.syndb}embargoEndDate`, 'embargo end date'], [`${NS.skos}note`, 'notes'],
  [`${NS.dcat}version`, 'version'], [`${NS.dcterms}issued`, 'release date'], [`${NS.adms}versionNotes`, 'release notes'],
  [`${NS.dcat}previousVersion`, 'previous version'],
];
const FIELD_NAME = new Map(FIELDS);
/** Same information as another property (not listed twice in the plain-words changes). */
const DUPLICATES = new Set([`${NS.schema}version`, `${NS.prov}wasRevisionOf`, `${NS.dcterms}subject`]);

const LABEL_PROPS = [`${NS.schema}name`, `${NS.dcterms}title`, `${NS.skos}prefLabel`, `${NS.rdfs}label`, `${NS.foaf}name`];

class Side {
  readonly bySubject = new Map<string, Quad[]>();
  private sigs = new Map<string, string>();
  constructor(readonly s: GraphSide) {
    for (const q of s.quads) {
      const k = q.subject.value;
      const l = this.bySubject.get(k);
      if (l) l.push(q); else this.bySubject.set(k, [q]);
    }
  }
  own(v: string) { return v === this.s.subject || v.startsWith(`${this.s.subject}/`) || v.startsWith(`${this.s.subject}#`); }
  isGenid(t: Term) { return t.termType === 'NamedNode' && this.own(t.value) && t.value.includes(GENID); }

  /** Comparable key of a term. */
  key(t: Term, stack: Set<string> = new Set()): string {
    if (this.isGenid(t)) return `_:${this.sig(t.value, stack)}`;
    if (t.termType === 'NamedNode' && this.own(t.value)) {
      const rest = t.value.slice(this.s.subject.length);
      return `<§${rest}>`;
    }
    return ntTerm(t);
  }
  private sig(node: string, stack: Set<string>): string {
    const have = this.sigs.get(node);
    if (have) return have;
    if (stack.has(node)) return 'cycle';
    stack.add(node);
    const lines = (this.bySubject.get(node) ?? []).map((q) => `${q.predicate.value} ${this.key(q.object, stack)}`).sort();
    stack.delete(node);
    const h = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
    this.sigs.set(node, h);
    return h;
  }
  tripleKey(q: Quad) { return `${this.key(q.subject)} <${q.predicate.value}> ${this.key(q.object)}`; }

  objects(s: string, p: string): Term[] {
    return (this.bySubject.get(s) ?? []).filter((q) => q.predicate.value === p).map((q) => q.object);
  }
  label(t: Term, depth = 0): string {
    if (t.termType === 'Literal') return t.value;
    if (t.termType !== 'NamedNode') return t.value;
    const v = t.value;
    if (this.own(v) && !this.isGenid(t)) return v === this.s.subject ? 'this version' : v.slice(this.s.subject.length);
    for (const p of LABEL_PROPS) {
      const l = this.objects(v, p)[0];
      if (l) return l.value;
    }
    if (this.isGenid(t) && depth < 3) {
      const agent = this.objects(v, `${NS.prov}agent`)[0];
      const pos = this.objects(v, `${NS.schema}position`)[0];
      if (agent) return `${pos ? `${pos.value}. ` : ''}${this.label(agent, depth + 1)}`;
      const ident = this.objects(v, `${NS.dcterms}identifier`)[0];
      const gene = this.objects(v, `${NS.syndb}gene`)[0];
      if (gene) {
        const kind = this.objects(v, `${NS.syndb}expressionKind`)[0];
        return `${gene.value}${kind ? ` ${kind.value.split('/').pop()}` : ''}`;
      }
      const name = this.objects(v, `${NS.schema}name`)[0];
      const mv = this.objects(v, `${NS.syndb}materializationVersion`)[0];
      if (name && mv) return `${name.value} (version ${mv.value})`;
      if (ident) {
        const extra = (this.bySubject.get(v) ?? []).filter((q) => q.predicate.value !== `${NS.dcterms}identifier` && q.predicate.value !== `${NS.rdf}type`)
          .map((q) => `${compactIri(q.predicate.value).replace(/^[a-z]+:/, '')} ${this.label(q.object, depth + 1)}`).sort();
        return `${ident.value}${extra.length ? ` (${extra.join(', ')})` : ''}`;
      }
      const all = (this.bySubject.get(v) ?? []).filter((q) => q.predicate.value !== `${NS.rdf}type`)
        .map((q) => `${compactIri(q.predicate.value)} ${this.label(q.object, depth + 1)}`).sort();
      return all.join(', ') || 'an empty node';
    }
    if (v.startsWith(NS.doi)) return `doi:${v.slice(NS.doi.length)}`;
    return compactIri(v);
  }
}

const quote = (s: string) => {
  const t = s.length > 160 ? `${s.slice(0, 157)}…` : s;
  return `“${t}”`;
};

/** The triples of a graph as N-Triples lines (graph component dropped). */
function ntriple(q: Quad) {
  return `${ntTerm(q.subject)} ${ntTerm(q.predicate)} ${ntTerm(q.object)} .`;
}

/** Compare two graphs of the same dataset. */
export function diffGraphs(from: GraphSide, to: GraphSide): GraphDiff {
  const a = new Side(from), b = new Side(to);
  const aKeys = new Map<string, Quad>(), bKeys = new Map<string, Quad>();
  for (const q of from.quads) aKeys.set(a.tripleKey(q), q);
  for (const q of to.quads) bKeys.set(b.tripleKey(q), q);
  const added = [...bKeys].filter(([k]) => !aKeys.has(k)).map(([, q]) => ntriple(q)).sort();
  const removed = [...aKeys].filter(([k]) => !bKeys.has(k)).map(([, q]) => ntriple(q)).sort();

  const props = new Set<string>();
  for (const q of [...a.bySubject.get(from.subject) ?? [], ...b.bySubject.get(to.subject) ?? []]) props.add(q.predicate.value);
  const order = (p: string) => { const i = FIELDS.findIndex(([x]) => x === p); return i < 0 ? FIELDS.length : i; };
  const changes: FieldChange[] = [];
  for (const p of [...props].sort((x, y) => order(x) - order(y) || x.localeCompare(y))) {
    if (DUPLICATES.has(p)) continue;
    const av = a.objects(from.subject, p), bv = b.objects(to.subject, p);
    const ak = new Map(av.map((t) => [a.key(t), a.label(t)])), bk = new Map(bv.map((t) => [b.key(t), b.label(t)]));
    const removedVals = [...ak].filter(([k]) => !bk.has(k)).map(([, l]) => l).sort();
    const addedVals = [...bk].filter(([k]) => !ak.has(k)).map(([, l]) => l).sort();
    if (!removedVals.length && !addedVals.length) continue;
    const field = FIELD_NAME.get(p) ?? (p === `${NS.rdf}type` ? 'types' : compactIri(p));
    const fromL = [...ak.values()].sort(), toL = [...bk.values()].sort();
    let text: string;
    if (av.length === 1 && bv.length === 1) {
      text = fromL[0] === toL[0] ? `${field}: details of ${quote(toL[0])} changed` : `${field} changed from ${quote(fromL[0])} to ${quote(toL[0])}`;
    } else if (!av.length) text = `${field} added: ${toL.map(quote).join(', ')}`;
    else if (!bv.length) text = `${field} removed (was ${fromL.map(quote).join(', ')})`;
    else {
      const same = addedVals.filter((x) => removedVals.includes(x));
      const parts: string[] = [];
      const add = addedVals.filter((x) => !same.includes(x)), rem = removedVals.filter((x) => !same.includes(x));
      if (add.length) parts.push(`added ${add.map(quote).join(', ')}`);
      if (rem.length) parts.push(`removed ${rem.map(quote).join(', ')}`);
      if (same.length) parts.push(`details of ${same.map(quote).join(', ')} changed`);
      text = `${field}: ${parts.join('; ')}`;
    }
    changes.push({ field, property: p, from: fromL, to: toL, added: addedVals, removed: removedVals, text });
  }
  return { changes, added, removed };
}

/** Drop the graph component (for callers holding quads). */
export const asTriples = (qs: Quad[]) => qs.map((q) => df.quad(q.subject, q.predicate, q.object));
