/**
 * CSV rows of a compartment table -> RDF terms -> compiled SHACL check -> N-Quads.
 *
 * The row validator evaluates exactly the property shapes of the row's node shape
 * (compiled in schema.ts) on the terms a row becomes, so its verdict is the one a SHACL
 * validator gives on the same triples (test/tables-validator.test.ts proves it against
 * shacl-engine and Apache Jena), but without building a graph: a few microseconds a row.
 */
import { NS } from '../namespaces.js';
import { findCompartment } from '../compartment-names.js';
import type { ColumnDef, CompiledProperty, TableSchema } from './schema.js';
import { compareDecimalText } from './decimal-compare.js';
import { escapeLiteral } from '../../util/nt-term.js';

const XSD = NS.xsd;
export const PARENT_TABLE = 'parent_table';

/** An RDF term of a row: an IRI or a literal (datatype undefined = xsd:string). */
export type RowTerm = { iri: string } | { lex: string; dt?: string };

/** One thing wrong with one row (1-based data row number; the header is line 1 of the file). */
export interface RowProblem {
  row: number;
  column: string;
  value?: string;
  /** What was expected, in words (the shape's sh:message). */
  expected: string;
  /** Kind: the SHACL constraint component as a CURIE (`sh:DatatypeConstraintComponent`) or `syndb:…` for table-level checks. */
  kind: string;
  /** The property path (IRI) for SHACL problems. */
  path?: string;
}

export interface HeaderProblem { column: string; position: number; message: string }

/** How the header's columns map to the schema. */
export interface ColumnMap {
  headers: string[];
  /** Per header position: the column it is, 'parent_table', or undefined (not allowed, see problems). */
  cols: Array<ColumnDef | typeof PARENT_TABLE | undefined>;
  cidIndex: number;
  parentTableIndex: number;
  problems: HeaderProblem[];
}

export function mapHeader(schema: TableSchema, headers: string[]): ColumnMap {
  const problems: HeaderProblem[] = [];
  const seen = new Map<string, number>();
  const cols = headers.map((h, i) => {
    const name = h.trim();
    if (name === PARENT_TABLE) return PARENT_TABLE;
    const col = schema.byAlias.get(name) ?? schema.byAlias.get(name.toLowerCase());
    if (!col) {
      const msg = name === 'dataset_id'
        ? 'dataset_id is set by the service (the dataset of the URL); remove the column'
        : `"${name}" is not a column of the ${schema.slug} table; expected one of: ${schema.columns.map((c) => c.name).join(', ')}, ${PARENT_TABLE}`;
      problems.push({ column: name, position: i + 1, message: msg });
      return undefined;
    }
    const prev = seen.get(col.property);
    if (prev !== undefined) problems.push({ column: name, position: i + 1, message: `column "${name}" is the same column as "${headers[prev]}" (position ${prev + 1}); give each column once` });
    seen.set(col.property, i);
    return col;
  });
  const cidIndex = cols.findIndex((c) => c !== undefined && c !== PARENT_TABLE && c.property === `${NS.syndb}cid`);
  if (cidIndex < 0) problems.push({ column: 'cid', position: 0, message: 'the header has no "cid" column (the compartment id of each row)' });
  const parentTableIndex = cols.indexOf(PARENT_TABLE);
  const hasParent = cols.some((c) => c !== undefined && c !== PARENT_TABLE && c.property === `${NS.syndb}parent`);
  if (parentTableIndex >= 0 && !hasParent) problems.push({ column: PARENT_TABLE, position: parentTableIndex + 1, message: 'parent_table is given without a parent_id column' });
  return { headers, cols, cidIndex, parentTableIndex, problems };
}

/** Percent-encode a cid for the row IRI (…/rows/{cid}). */
export const encodeCid = (cid: string) => encodeURIComponent(cid);
export const decodeCid = (seg: string) => decodeURIComponent(seg);

/**
 * Where a link column's id points, when the file does not say (parent_table): a function
 * of the column and the id returning a compartment slug, or undefined when unknown.
 */
export type LinkResolver = (col: ColumnDef, id: string) => string | undefined;

/** Default targets of links that may point to any table, when the id is found nowhere. */
export const FALLBACK_TARGET: Record<string, string> = {
  [`${NS.syndb}preSynaptic`]: 'neuron',
  [`${NS.syndb}postSynaptic`]: 'neuron',
  [`${NS.syndb}formsSynapseWith`]: 'synapse',
  [`${NS.syndb}neuron`]: 'neuron',
};

export interface RowContext {
  schema: TableSchema;
  map: ColumnMap;
  /** The dataset draft/version IRI (rows' syndb:inDataset; base of every row IRI). */
  dataset: string;
  resolve?: LinkResolver;
}

export interface ConvertedRow {
  subject: string;
  cid: string;
  /** property IRI -> terms (the row's triples besides rdf:type and inDataset) */
  values: Map<string, RowTerm[]>;
  /** property IRI -> the number exactly as written, where the store would print it differently ("12.0" is stored as 12). */
  lexical?: Record<string, string>;
  problems: RowProblem[];
}

export const UNKNOWN_TABLE_MESSAGE = 'parent_table must name a compartment table (neuron, dendrite, axon, pre_synaptic_terminal, synapse, dendritic_spine, endoplasmic_reticulum, nucleus, vesicle, mitochondria)';
export const PARENT_WITHOUT_ID_MESSAGE = 'parent_table is given but parent_id is empty';
export const unresolvedLinkMessage = (col: ColumnDef) => `${col.name} needs ${col.property === `${NS.syndb}parent` ? 'a parent_table value naming the table of the parent row' : 'the table of the row it links to'}`;

const splitMulti = (v: string) => v.split(';').map((s) => s.trim()).filter(Boolean);

/** Turn one CSV record into the row's RDF terms. Problems here are link problems the shapes cannot see (unknown parent_table). */
export function convertRow(ctx: RowContext, record: string[], row: number): ConvertedRow {
  const { schema, map } = ctx;
  const values = new Map<string, RowTerm[]>();
  const problems: RowProblem[] = [];
  let lexical: Record<string, string> | undefined;
  const cid = map.cidIndex >= 0 ? (record[map.cidIndex] ?? '') : '';
  const parentTable = map.parentTableIndex >= 0 ? (record[map.parentTableIndex] ?? '').trim() : '';
  for (let i = 0; i < map.cols.length; i++) {
    const col = map.cols[i];
    if (col === undefined || col === PARENT_TABLE) continue;
    const raw = record[i] ?? '';
    if (raw === '') continue;
    let terms: RowTerm[];
    if (col.kind === 'link') {
      const ids = col.multi ? splitMulti(raw) : [raw];
      terms = [];
      for (const id of ids) {
        let target: string | undefined;
        if (col.property === `${NS.syndb}parent` && parentTable) {
          target = findCompartment(parentTable)?.slug;
          if (!target) {
            problems.push({ row, column: PARENT_TABLE, value: parentTable, expected: UNKNOWN_TABLE_MESSAGE, kind: 'syndb:UnknownTable' });
            continue;
          }
        } else {
          target = ctx.resolve?.(col, id) ?? (col.targets?.length === 1 ? col.targets[0] : FALLBACK_TARGET[col.property]);
          if (!target) {
            problems.push({ row, column: col.name, value: id, expected: unresolvedLinkMessage(col), kind: 'syndb:UnresolvedLink' });
            continue;
          }
        }
        terms.push({ iri: `${ctx.dataset}/tables/${target}/rows/${encodeCid(id)}` });
      }
    } else {
      const dt = col.datatype === `${XSD}string` ? undefined : col.datatype;
      terms = col.multi ? splitMulti(raw).map((v) => ({ lex: v, dt })) : [{ lex: raw, dt }];
      if (!col.multi && dt && NUMERIC.has(dt) && lexicallyValid(raw, dt)) {
        const c = canonicalNumber(raw, dt);
        if (c !== raw) (lexical ??= {})[col.property] = raw;
      }
    }
    if (terms.length) values.set(col.property, terms);
  }
  if (parentTable && !map.cols.some((c, i) => c !== undefined && c !== PARENT_TABLE && c.property === `${NS.syndb}parent` && (record[i] ?? '') !== '')) {
    problems.push({ row, column: PARENT_TABLE, value: parentTable, expected: PARENT_WITHOUT_ID_MESSAGE, kind: 'syndb:UnresolvedLink' });
  }
  const subject = `${ctx.dataset}/tables/${schema.slug}/rows/${encodeCid(cid)}`;
  return { subject, cid, values, problems, lexical };
}

/**
 * How the store prints a valid number it was given as `lex` (oxigraph keeps numbers as values:
 * doubles in Rust's shortest, never-exponential notation, integers without sign or leading zeros).
 */
export function canonicalNumber(lex: string, dt: string): string {
  if (dt === `${XSD}integer`) {
    const b = BigInt(lex);
    return b >= -(2n ** 63n) && b < 2n ** 63n ? b.toString() : lex;
  }
  if (dt !== `${XSD}double` && dt !== `${XSD}float`) return lex;
  if (lex === 'NaN' || lex.endsWith('INF')) return lex;
  const x = Number(lex);
  if (lex.length < 16 && x.toString() === lex && Math.abs(x) >= 1e-6 && Math.abs(x) < 1e21) return lex; // fast path: JS prints it the same way
  if (Object.is(x, -0)) return '-0';
  if (dt === `${XSD}float`) return lex;
  const [mant, e] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const n = Number(e);
  let out: string;
  if (n >= digits.length - 1) out = digits + '0'.repeat(n - digits.length + 1);
  else if (n >= 0) out = `${digits.slice(0, n + 1)}.${digits.slice(n + 1)}`;
  else out = `0.${'0'.repeat(-n - 1)}${digits}`;
  return x < 0 ? `-${out}` : out;
}

export const SOURCE_LEXICAL = `${NS.syndb}sourceLexical`;

// ------------------------------------------------------------------ the compiled validator

const DOUBLE = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))([Ee](\+|-)?[0-9]+)?$|^-?INF$|^NaN$/;
const DECIMAL = /^(\+|-)?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;
const INTEGER = /^(\+|-)?[0-9]+$/;
/** The lexical space of each datatype the row validator checks (the SQL checks translate these). */
export const LEXICAL: Record<string, RegExp | undefined> = {
  [`${XSD}double`]: DOUBLE, [`${XSD}float`]: DOUBLE, [`${XSD}decimal`]: DECIMAL, [`${XSD}integer`]: INTEGER,
  [`${XSD}nonNegativeInteger`]: /^(\+)?[0-9]+$|^-0+$/, [`${XSD}boolean`]: /^(true|false|1|0)$/,
  [`${XSD}date`]: /^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$/,
  [`${XSD}dateTime`]: /^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/,
};
/** Numeric datatypes whose values are compared exactly (as decimals), not as doubles. */
const EXACT = new Set([`${XSD}decimal`, `${XSD}integer`, `${XSD}nonNegativeInteger`]);
export const NUMERIC = new Set([`${XSD}double`, `${XSD}float`, `${XSD}decimal`, `${XSD}integer`, `${XSD}nonNegativeInteger`]);

export function lexicallyValid(lex: string, dt: string | undefined): boolean {
  if (dt === undefined) return true;
  const re = LEXICAL[dt];
  return re ? re.test(lex) : true;
}

function numericValue(t: RowTerm): number | undefined {
  if (!('lex' in t) || !t.dt || !NUMERIC.has(t.dt) || !lexicallyValid(t.lex, t.dt)) return undefined;
  const n = t.lex.endsWith('INF') ? (t.lex.startsWith('-') ? -Infinity : Infinity) : Number(t.lex);
  return Number.isNaN(n) ? undefined : n;
}

const termString = (t: RowTerm) => ('iri' in t ? t.iri : t.lex);
const NONE: RowTerm[] = [];
function fails(out: RowProblem[], p: CompiledProperty, row: number, kind: string, v?: RowTerm) {
  out.push({ row, column: p.name, value: v ? termString(v) : undefined, expected: p.message ?? kind, kind: `sh:${kind}ConstraintComponent`, path: p.path });
}

/**
 * Check one row's terms against the compiled property shapes. `ownClassRows` says whether an
 * IRI is a row of this table (typed with the table's class in the validated data): sh:class
 * members of sh:or accept exactly those.
 */
export function checkRow(schema: TableSchema, conv: ConvertedRow, row: number, ownClassRows?: (iri: string) => boolean): RowProblem[] {
  const out = conv.problems.slice();
  // cid is what the shapes check first (required, non-empty)
  const cidTerms: RowTerm[] = conv.cid === '' ? [] : [{ lex: conv.cid }];
  for (const p of schema.properties) {
    if (p.path === `${NS.syndb}inDataset`) continue; // always the dataset IRI, set by the service
    const vals = p.path === `${NS.syndb}cid` ? cidTerms : (conv.values.get(p.path) ?? NONE);
    if (vals.length === 0 && p.minCount === undefined) continue;
    const fail = (kind: string, v?: RowTerm) => { fails(out, p, row, kind, v); };
    if (p.minCount !== undefined && vals.length < p.minCount) fail('MinCount');
    if (p.maxCount !== undefined && vals.length > p.maxCount) fail('MaxCount');
    for (const v of vals) {
      if (p.datatype !== undefined) {
        const ok = 'lex' in v && (v.dt ?? `${XSD}string`) === p.datatype && lexicallyValid(v.lex, v.dt);
        if (!ok) fail('Datatype', v);
      }
      if (p.nodeKind !== undefined) {
        const isIri = 'iri' in v;
        const ok = p.nodeKind === 'IRI' || p.nodeKind === 'BlankNodeOrIRI' ? isIri : p.nodeKind === 'Literal' || p.nodeKind === 'BlankNodeOrLiteral' ? !isIri : p.nodeKind === 'IRIOrLiteral';
        if (!ok) fail('NodeKind', v);
      }
      if (p.minInclusive !== undefined || p.maxInclusive !== undefined || p.minExclusive !== undefined || p.maxExclusive !== undefined) {
        const n = numericValue(v);
        // integers and decimals are compared exactly (64-bit ids, long decimals); doubles as doubles
        const exact = n !== undefined && 'lex' in v && v.dt !== undefined && EXACT.has(v.dt);
        const cmp = (b: number) => (n === undefined ? undefined : exact ? compareDecimalText((v as { lex: string }).lex, b) : n < b ? -1 : n > b ? 1 : 0);
        /** The bound is given and the value is not comparable with it or not on the right side. */
        const violates = (b: number | undefined, ok: (c: number) => boolean) => { if (b === undefined) return false; const c = cmp(b); return c === undefined || !ok(c); };
        if (violates(p.minInclusive, (c) => c >= 0)) fail('MinInclusive', v);
        if (violates(p.maxInclusive, (c) => c <= 0)) fail('MaxInclusive', v);
        if (violates(p.minExclusive, (c) => c > 0)) fail('MinExclusive', v);
        if (violates(p.maxExclusive, (c) => c < 0)) fail('MaxExclusive', v);
      }
      if (p.pattern !== undefined) {
        p.pattern.lastIndex = 0;
        if (!p.pattern.test(termString(v))) fail('Pattern', v);
      }
      if (p.in !== undefined && !p.in.includes(termString(v))) fail('In', v);
      if (p.or !== undefined) {
        const ok = p.or.some((m) => (m.class !== undefined ? 'iri' in v && m.class === schema.cls && !!ownClassRows?.(v.iri) : true)
          && (m.pattern !== undefined ? m.pattern.test(termString(v)) : true));
        if (!ok) fail('Or', v);
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ N-Quads
// A writer of its own (millions of rows): the IRIs are built here from encoded parts and written
// as they are; literals take util/nt-term.ts's escaping.

const RDF_TYPE = `<${NS.rdf}type>`;
export const CSVW_ROWNUM = 'http://www.w3.org/ns/csvw#rownum';

/** The row's triples as N-Quads in graph `graph` (rdf:type, cid, inDataset, csvw:rownum, every value). */
export function rowToNQuads(schema: TableSchema, conv: ConvertedRow, row: number, dataset: string, graph: string): string {
  return rowLines(schema, conv, row, dataset, ` <${graph}> .\n`);
}

/** The same triples as rowToNQuads, as N-Triples (for a bulk load into the table graph). */
export function rowToNTriples(schema: TableSchema, conv: ConvertedRow, row: number, dataset: string): string {
  return rowLines(schema, conv, row, dataset, ' .\n');
}

function rowLines(schema: TableSchema, conv: ConvertedRow, row: number, dataset: string, g: string): string {
  const s = `<${conv.subject}>`;
  let out = `${s} ${RDF_TYPE} <${schema.cls}>${g}${s} <${NS.syndb}cid> "${escapeLiteral(conv.cid)}"${g}${s} <${NS.syndb}inDataset> <${dataset}>${g}${s} <${CSVW_ROWNUM}> "${row}"^^<${XSD}integer>${g}`;
  if (conv.lexical) out += `${s} <${SOURCE_LEXICAL}> "${escapeLiteral(JSON.stringify(conv.lexical))}"${g}`;
  for (const [p, terms] of conv.values) {
    for (const t of terms) {
      out += 'iri' in t ? `${s} <${p}> <${t.iri}>${g}` : `${s} <${p}> "${escapeLiteral(t.lex)}"${t.dt ? `^^<${t.dt}>` : ''}${g}`;
    }
  }
  return out;
}

/** How many quads rowLines writes for the row (for capacity checks before anything is stored). */
export function rowQuadCount(conv: ConvertedRow): number {
  let n = conv.lexical ? 5 : 4;
  for (const terms of conv.values.values()) n += terms.length;
  return n;
}

/** Row IRI -> { table slug, cid } (for downloads and link lookups). */
export function parseRowIri(iri: string): { table: string; cid: string } | undefined {
  const m = /\/tables\/([a-z-]+)\/rows\/([^/]+)$/.exec(iri);
  return m ? { table: m[1], cid: decodeCid(m[2]) } : undefined;
}
