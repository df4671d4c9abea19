/**
 * The compartment table schemas, compiled from the SHACL row shapes (shapes/compartments.ttl,
 * the single source of truth) and the ontology (ontologies/syndb.ttl: skos:notation = SynDB
 * column name, qudt:hasUnit = unit). Nothing about columns is hard-coded here except the
 * link conventions of docs/graph-model.md (parent_id + parent_table, row IRIs).
 *
 * Every constraint component a property shape uses must be one this compiler understands;
 * an unknown one makes compileTableSchemas throw, so the fast row validator can never
 * silently check less than the shapes say.
 */
import type { Quad } from '../../util/rdf.js';
import { NS } from '../namespaces.js';
import { COMPARTMENTS } from '../compartment-names.js';
import { xpathRegex } from './xpath-regex.js';

export const CSVW = 'http://www.w3.org/ns/csvw#';
export const QUDT = 'http://qudt.org/schema/qudt/';
const SH = NS.sh;
const RDF_TYPE = `${NS.rdf}type`;

/** One alternative of an sh:or list: a class or a pattern (the forms compartments.ttl uses). */
export interface OrMember { class?: string; pattern?: RegExp; source?: string }

/** A SHACL property shape compiled for the row validator. */
export interface CompiledProperty {
  shape: string;
  path: string;
  /** SynDB column name (sh:name). */
  name: string;
  message?: string;
  minCount?: number;
  maxCount?: number;
  datatype?: string;
  nodeKind?: 'IRI' | 'Literal' | 'BlankNode' | 'BlankNodeOrIRI' | 'BlankNodeOrLiteral' | 'IRIOrLiteral';
  minInclusive?: number;
  maxInclusive?: number;
  minExclusive?: number;
  maxExclusive?: number;
  pattern?: RegExp;
  or?: OrMember[];
  in?: string[];
}

export interface ColumnDef {
  /** The canonical SynDB column name (sh:name / first skos:notation). */
  name: string;
  /** Every spelling accepted in a CSV header (sh:name, skos:notation values, skos:altLabel values). */
  aliases: string[];
  property: string;
  /** 'literal' columns carry values; 'link' columns point to rows (nodeKind IRI). */
  kind: 'literal' | 'link';
  datatype?: string;
  unit?: string;
  label?: string;
  description?: string;
  multi: boolean;
  required: boolean;
  /** For link columns: the compartment slugs a target may be in (from the sh:or patterns). */
  targets?: string[];
  shapes: CompiledProperty[];
}

export interface TableSchema {
  slug: string;
  /** SynDB's table name (e.g. mitochondria). */
  table: string;
  cls: string;
  shape: string;
  /** Columns a CSV may have, in the shapes' order (cid first). dataset_id is set by the service. */
  columns: ColumnDef[];
  /** Property shapes on the row node (all of them, including those with maxCount 0). */
  properties: CompiledProperty[];
  byAlias: Map<string, ColumnDef>;
}

const SUPPORTED = new Set([
  `${SH}path`, `${SH}name`, `${SH}description`, `${SH}message`, `${SH}minCount`, `${SH}maxCount`, `${SH}datatype`,
  `${SH}nodeKind`, `${SH}minInclusive`, `${SH}maxInclusive`, `${SH}minExclusive`, `${SH}maxExclusive`, `${SH}pattern`, `${SH}flags`,
  `${SH}or`, `${SH}in`, RDF_TYPE, `${SH}order`, `${SH}group`, `${SH}severity`, `${NS.rdfs}label`, `${NS.rdfs}comment`,
]);

class Graph {
  private bySubject = new Map<string, Quad[]>();
  constructor(quads: Quad[]) {
    for (const q of quads) {
      const k = q.subject.value;
      const l = this.bySubject.get(k);
      if (l) l.push(q); else this.bySubject.set(k, [q]);
    }
  }
  out(s: string) { return this.bySubject.get(s) ?? []; }
  objects(s: string, p: string) { return this.out(s).filter((q) => q.predicate.value === p).map((q) => q.object); }
  one(s: string, p: string) { return this.objects(s, p)[0]; }
  list(head: string): string[] {
    const out: string[] = [];
    let n = head;
    while (n !== `${NS.rdf}nil`) {
      const first = this.one(n, `${NS.rdf}first`);
      if (!first) throw new Error(`RDF list at ${n} is broken`);
      out.push(first.value);
      n = this.one(n, `${NS.rdf}rest`)!.value;
    }
    return out;
  }
  subjectsWith(p: string, o: string) {
    const out: string[] = [];
    for (const [s, qs] of this.bySubject) if (qs.some((q) => q.predicate.value === p && q.object.value === o)) out.push(s);
    return out;
  }
}

/** sh:pattern with XPath's meaning of \s, \S, \d and . (xpath-regex.ts). */
function regexOf(pattern: string, flags?: string) {
  return xpathRegex(pattern, flags);
}

function compileProperty(g: Graph, ps: string): CompiledProperty {
  for (const q of g.out(ps)) {
    if (!SUPPORTED.has(q.predicate.value)) throw new Error(`the table compiler does not understand ${q.predicate.value} on property shape ${ps}; extend src/model/tables/schema.ts and the row validator before using it in shapes/compartments.ttl`);
  }
  const path = g.one(ps, `${SH}path`);
  if (!path || path.termType !== 'NamedNode') throw new Error(`property shape ${ps} must have a predicate path (an IRI) to be compiled for tables`);
  const num = (p: string) => { const o = g.one(ps, `${SH}${p}`); return o ? Number(o.value) : undefined; };
  const str = (p: string) => g.one(ps, `${SH}${p}`)?.value;
  const c: CompiledProperty = { shape: ps, path: path.value, name: str('name') ?? path.value.replace(/^.*[#/]/, '') };
  c.message = str('message');
  c.minCount = num('minCount'); c.maxCount = num('maxCount');
  c.datatype = str('datatype');
  const nk = str('nodeKind');
  if (nk) c.nodeKind = nk.slice(SH.length) as CompiledProperty['nodeKind'];
  c.minInclusive = num('minInclusive'); c.maxInclusive = num('maxInclusive');
  c.minExclusive = num('minExclusive'); c.maxExclusive = num('maxExclusive');
  const pat = str('pattern');
  if (pat !== undefined) c.pattern = regexOf(pat, str('flags'));
  const or = g.one(ps, `${SH}or`);
  if (or) {
    c.or = g.list(or.value).map((m) => {
      const keys = g.out(m).map((q) => q.predicate.value);
      for (const k of keys) if (k !== `${SH}class` && k !== `${SH}pattern` && k !== `${SH}flags`) throw new Error(`sh:or member of ${ps} uses ${k}; the table compiler understands sh:class and sh:pattern members only`);
      const cls = g.one(m, `${SH}class`)?.value;
      const p = g.one(m, `${SH}pattern`)?.value;
      return { class: cls, pattern: p !== undefined ? regexOf(p, g.one(m, `${SH}flags`)?.value) : undefined, source: p };
    });
  }
  const inList = g.one(ps, `${SH}in`);
  if (inList) c.in = g.list(inList.value);
  return c;
}

/** The compartment slugs named in a link column's sh:or patterns (`/tables/(a|b)/rows/`), or undefined for "any table". */
function targetsOf(props: CompiledProperty[]): string[] | undefined {
  for (const p of props) {
    for (const m of p.or ?? []) {
      const src = m.source ?? '';
      const alt = /\/tables\/\(([a-z|-]+)\)\/rows\//.exec(src);
      if (alt) return alt[1].split('|');
    }
  }
  return undefined;
}

/** Compile the row shapes of all ten compartments. `shapes` and `ontology` are quads. */
export function compileTableSchemas(shapes: Quad[], ontology: Quad[]): Map<string, TableSchema> {
  const g = new Graph(shapes);
  const onto = new Graph(ontology);
  const out = new Map<string, TableSchema>();
  for (const c of COMPARTMENTS) {
    const cls = NS.syndb + c.cls;
    const shape = g.subjectsWith(`${SH}targetClass`, cls)[0];
    if (!shape) throw new Error(`no SHACL shape targets ${cls} (shapes/compartments.ttl)`);
    for (const q of g.out(shape)) {
      const p = q.predicate.value;
      if (![RDF_TYPE, `${SH}targetClass`, `${SH}property`, `${NS.rdfs}label`, `${NS.rdfs}comment`].includes(p)) throw new Error(`the table compiler does not understand ${p} on node shape ${shape}`);
    }
    const properties = g.objects(shape, `${SH}property`).map((ps) => compileProperty(g, ps.value));
    const byPath = new Map<string, CompiledProperty[]>();
    for (const p of properties) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p]);
    const columns: ColumnDef[] = [];
    for (const [path, props] of byPath) {
      if (path === `${NS.syndb}inDataset`) continue; // set by the service
      // columns with maxCount 0 (neuron: parent_id, neuron_id) stay: SynDB's files have them, and a value there is a violation
      const notations = onto.objects(path, `${NS.skos}notation`).map((o) => o.value);
      const alt = onto.objects(path, `${NS.skos}altLabel`).map((o) => o.value);
      const name = props.find((p) => p.name)?.name ?? notations[0];
      const isLink = props.some((p) => p.nodeKind === 'IRI') || onto.objects(path, RDF_TYPE).some((t) => t.value === `${NS.owl}ObjectProperty`);
      const maxCount = Math.min(...props.map((p) => p.maxCount ?? Infinity));
      columns.push({
        name, aliases: [...new Set([name, ...notations, ...alt])], property: path,
        kind: isLink ? 'link' : 'literal',
        datatype: props.find((p) => p.datatype)?.datatype,
        unit: onto.one(path, `${QUDT}hasUnit`)?.value,
        label: onto.objects(path, `${NS.rdfs}label`).find((o) => o.termType === 'Literal')?.value,
        description: g.one(props[0].shape, `${SH}description`)?.value,
        multi: maxCount > 1,
        required: props.some((p) => (p.minCount ?? 0) > 0),
        targets: isLink ? targetsOf(props) : undefined,
        shapes: props,
      });
    }
    const byAlias = new Map<string, ColumnDef>();
    for (const col of columns) for (const a of col.aliases) { byAlias.set(a, col); byAlias.set(a.toLowerCase(), col); }
    out.set(c.slug, { slug: c.slug, table: c.table, cls, shape, columns, properties, byAlias });
  }
  return out;
}
