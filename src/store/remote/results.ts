/**
 * Query results from a remote server, made identical to the embedded store's: we ask the server
 * for SPARQL XML or JSON results (SELECT/ASK; XML preferred: Virtuoso 7 writes it about three
 * times faster than JSON) or N-Triples (CONSTRUCT/DESCRIBE), read them with sparqlxml-parse /
 * sparqljson-parse, normalise the server's quirks (Virtuoso: "typed-literal", `nodeID://` blank
 * nodes, booleans as 1/0, its own forms of doubles, ASK answered as a one-row table), and
 * serialise to the requested format ourselves.
 */
import { Readable } from 'node:stream';
import type * as RDF from '@rdfjs/types';
import { SparqlJsonParser } from 'sparqljson-parse';
import { SparqlXmlParser } from 'sparqlxml-parse';
import { csvField } from '../../util/csv-field.js';
import { ntBindingTerm } from '../../util/nt-term.js';
import { Store, defaultGraph } from 'oxigraph';
import { StoreError, type Binding } from '../graph-store.js';
import { canonicalDouble } from '../../util/xsd-double.js';
import { XSD_NS } from '../../util/rdf.js';

type Term = Binding[string];
type Row = Record<string, RDF.Term>;

const XSD = XSD_NS;

/** One result term in the SPARQL 1.1 JSON form, as the embedded store writes it (`fix`: see readXml). */
function normTerm(t: RDF.Term, fix?: (s: string) => string): Term {
  if (t.termType === 'NamedNode') return { type: 'uri', value: fix ? fix(t.value) : t.value };
  if (t.termType === 'BlankNode') return { type: 'bnode', value: t.value.replace(/^nodeID:\/\//, '').replace(/^_:/, '') };
  if (t.termType !== 'Literal') throw new Error('RDF-star triple terms are not supported in results');
  // Virtuoso stores booleans as numbers and answers "1"/"0"; doubles it prints its own way
  // ("8.70767e+11", "15442.0"): both are written as the embedded store (oxigraph) writes them
  let value = fix ? fix(t.value) : t.value;
  const dt = fix ? fix(t.datatype.value) : t.datatype.value;
  if (dt === `${XSD}boolean` && (value === '1' || value === '0')) value = value === '1' ? 'true' : 'false';
  else if (dt === `${XSD}double`) value = canonicalDouble(value);
  else if (dt === `${XSD}integer` && /^[+-]?\d+$/.test(value)) value = BigInt(value).toString();
  const out: Term = { type: 'literal', value };
  if (t.language) out['xml:lang'] = t.language;
  else if (dt !== `${XSD}string`) out.datatype = dt;
  return out;
}

/** The Accept header for SELECT / ASK results. */
export const RESULTS_ACCEPT = 'application/sparql-results+xml, application/sparql-results+json;q=0.9';

const xmlParser = new SparqlXmlParser();
const jsonParser = new SparqlJsonParser();

// characters an XML 1.1 parser would change (CR, NEL, LS: line ends) or refuse (C1 controls) when raw
const XML11_RAW = /[\r\u007F-\u009F\u2028]/;
const XML11_RAW_ALL = /[\r\u007F-\u009F\u2028]/g;

/** A private-use character that `s` contains neither raw nor as a reference. */
function unusedPrivateUse(s: string, not = ''): string | undefined {
  for (let c = 0xe000; c <= 0xf8ff; c++) {
    const ch = String.fromCharCode(c);
    if (ch !== not && !s.includes(ch) && !new RegExp(`&#(?:${c}|x0*${c.toString(16)});`, 'i').test(s)) return ch;
  }
  return undefined;
}

/**
 * The server's XML as the parser is given it. Virtuoso writes XML 1.0 that an XML 1.0 parser
 * cannot read exactly: references to control characters (`&#1;`), which XML 1.0 forbids, and raw
 * carriage returns, which a parser must read as line feeds. Declared XML 1.1 (which allows those
 * references), with the characters that 1.1 would change or refuse raw written as references,
 * every character arrives as sent (a carriage return between the tags is harmless; the
 * declaration and whitespace outside the root element, where no reference may stand, are
 * dropped). U+FFFE and U+FFFF may not stand in XML at all: they pass as private-use characters
 * the answer does not hold, which `fix` turns back.
 */
function readXml(text: string): { xml: string; fix?: (s: string) => string } {
  let body = text.replace(/^\uFEFF?\s*(?:<\?xml[^>]*\?>)?/, '').trimEnd();
  if (XML11_RAW.test(body)) body = body.replace(XML11_RAW_ALL, (c) => `&#${c.charCodeAt(0)};`);
  let fix: ((s: string) => string) | undefined;
  const fe = /[\uFFFE\uFFFF]/.test(body) ? unusedPrivateUse(body) : undefined;
  const ff = fe && unusedPrivateUse(body, fe);
  if (fe && ff) {
    body = body.replaceAll('\uFFFE', fe).replaceAll('\uFFFF', ff);
    fix = (s) => (s.includes(fe) || s.includes(ff) ? s.replaceAll(fe, '\uFFFE').replaceAll(ff, '\uFFFF') : s);
  }
  return { xml: `<?xml version="1.1"?>${body}`, fix };
}

function readXmlTable(xml: string): Promise<{ vars: string[]; rows: Row[] }> {
  return new Promise((resolve, reject) => {
    let vars: string[] = [];
    const rows: Row[] = [];
    xmlParser.parseXmlResultsStream(Readable.from([xml]))
      .on('variables', (v: RDF.Variable[]) => { vars = v.map((x) => x.value); })
      .on('data', (row: Row) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve({ vars, rows }));
  });
}

const readXmlBoolean = (xml: string) => xmlParser.parseXmlBooleanStream(Readable.from([xml]));

/** The server's SELECT or ASK answer (SPARQL XML or JSON results), normalised; StoreError 'unavailable' if it is neither. */
export async function parseResults(text: string, kind: 'bindings' | 'boolean'): Promise<{ vars: string[]; bindings: Binding[] } | { boolean: boolean }> {
  let table: { vars: string[]; rows: Row[] } | undefined;
  let fix: ((s: string) => string) | undefined;
  let bindings: Binding[];
  try {
    if (text.trimStart().startsWith('<')) {
      const x = readXml(text);
      fix = x.fix;
      if (kind === 'boolean') {
        // a boolean, or (some servers) a one-row table
        const [b, t] = await Promise.allSettled([readXmlBoolean(x.xml), readXmlTable(x.xml)]);
        if (b.status === 'fulfilled') return { boolean: b.value };
        if (t.status === 'rejected') throw b.reason;
        table = t.value;
      } else {
        // a boolean answer reads as no rows (as in JSON)
        table = await readXmlTable(x.xml).catch(async (e: unknown) => {
          await readXmlBoolean(x.xml).catch(() => { throw e; });
          return { vars: [], rows: [] };
        });
      }
    } else {
      const j = JSON.parse(text) as { head?: { vars?: string[] }; results?: { bindings?: unknown }; boolean?: unknown };
      if (kind === 'boolean' && typeof j.boolean === 'boolean') return { boolean: j.boolean };
      if (Array.isArray(j.results?.bindings)) table = { vars: j.head?.vars ?? [], rows: jsonParser.parseJsonResults(j) };
      else if (kind === 'bindings') table = { vars: j.head?.vars ?? [], rows: [] };
    }
    bindings = (table?.rows ?? []).map((row) => {
      const out: Binding = {};
      for (const k in row) out[k] = normTerm(row[k], fix);
      return out;
    });
  } catch (e) {
    throw new StoreError(`the SPARQL server answered with something that is not SPARQL XML or JSON results: ${(e as Error).message}: ${text.slice(0, 200)}`, 'unavailable');
  }
  if (kind === 'boolean') {
    if (!table) throw new StoreError(`the SPARQL server answered an ASK query without a boolean: ${text.slice(0, 200)}`, 'unavailable');
    const v = bindings[0] && Object.values(bindings[0])[0]?.value;
    return { boolean: v !== undefined && v !== '0' && v !== 'false' };
  }
  return { vars: table!.vars, bindings };
}

const xmlEsc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Serialise normalised results as one of the SPARQL result formats. */
export function serialiseResults(r: { vars: string[]; bindings: Binding[] } | { boolean: boolean }, mediaType: string): string {
  if (mediaType === 'application/sparql-results+json') {
    return 'boolean' in r ? JSON.stringify({ head: {}, boolean: r.boolean }) : JSON.stringify({ head: { vars: r.vars }, results: { bindings: r.bindings } });
  }
  if (mediaType === 'application/sparql-results+xml') {
    const head = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n';
    if ('boolean' in r) return `${head}<head/>\n<boolean>${r.boolean}</boolean>\n</sparql>\n`;
    const vars = r.vars.map((v) => `<variable name="${xmlEsc(v)}"/>`).join('');
    const rows = r.bindings.map((b) => `<result>${Object.entries(b).map(([k, t]) => {
      const inner = t.type === 'uri' ? `<uri>${xmlEsc(t.value)}</uri>` : t.type === 'bnode' ? `<bnode>${xmlEsc(t.value)}</bnode>`
        : `<literal${t['xml:lang'] ? ` xml:lang="${xmlEsc(t['xml:lang'])}"` : t.datatype ? ` datatype="${xmlEsc(t.datatype)}"` : ''}>${xmlEsc(t.value)}</literal>`;
      return `<binding name="${xmlEsc(k)}">${inner}</binding>`;
    }).join('')}</result>\n`).join('');
    return `${head}<head>${vars}</head>\n<results>\n${rows}</results>\n</sparql>\n`;
  }
  if ('boolean' in r) throw new StoreError(`result format ${mediaType} is not available for ASK queries; expected application/sparql-results+json or application/sparql-results+xml`, 'bad-query');
  if (mediaType === 'text/csv') {
    const lines = [r.vars.map(csvField).join(',')];
    for (const b of r.bindings) lines.push(r.vars.map((v) => (b[v] ? csvField(b[v].type === 'bnode' ? `_:${b[v].value}` : b[v].value) : '')).join(','));
    return lines.join('\r\n') + '\r\n';
  }
  if (mediaType === 'text/tab-separated-values') {
    const lines = [r.vars.map((v) => `?${v}`).join('\t')];
    for (const b of r.bindings) lines.push(r.vars.map((v) => (b[v] ? ntBindingTerm(b[v]) : '')).join('\t'));
    return lines.join('\n') + '\n';
  }
  throw new StoreError(`result format ${mediaType} is not available for SELECT queries`, 'bad-query');
}

/** Re-serialise N-Triples from the server into the requested RDF format (oxigraph writes it). */
export function serialiseGraph(ntriples: string, mediaType: string): string {
  if (mediaType === 'application/n-triples') return normaliseNTriples(ntriples);
  const store = new Store();
  try {
    store.load(ntriples, { format: 'application/n-triples' });
  } catch (e) {
    throw new StoreError(`the SPARQL server answered a CONSTRUCT/DESCRIBE query with invalid N-Triples: ${(e as Error).message}`, 'unavailable');
  }
  return store.dump({ format: mediaType, from_graph_name: defaultGraph() });
}

/** Re-parse and write N-Triples in oxigraph's canonical form (one space, no tabs, \u escapes as needed). */
export function normaliseNTriples(ntriples: string): string {
  const store = new Store();
  try {
    store.load(ntriples, { format: 'application/n-triples' });
  } catch (e) {
    throw new StoreError(`the SPARQL server sent invalid N-Triples: ${(e as Error).message}`, 'unavailable');
  }
  return store.dump({ format: 'application/n-triples', from_graph_name: defaultGraph() });
}
