/**
 * Whole graphs read from the remote server: one graph as N-Quads (doubles with every digit, its
 * size checked against a count, so a server's result-size limit cannot cut it silently), a large
 * graph in pages, and backup(): the N-Quads file of every graph (gzip when the name ends in .gz).
 */
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Store, namedNode, blankNode, literal as oxLiteral, quad } from 'oxigraph';
import { StoreError } from '../graph-store.js';
import { ntBindingTerm, ntLiteral } from '../../util/nt-term.js';
import type { GraphSet } from './gate.js';
import type { RemoteRequests } from './requests.js';
import { XSD_NS } from '../../util/rdf.js';

const XSD_DOUBLE = `${XSD_NS}double`;
const XSD_FLOAT = `${XSD_NS}float`;

/** A graph as N-Quads, read in one answer (the caller holds the gate). */
export async function dumpGraph(requests: RemoteRequests, graph: string): Promise<string> {
  const nt = await requests.rawQuery(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${graph}> { ?s ?p ?o } }`, 'application/n-triples', { namedGraphs: [graph] }, Math.max(requests.queryTimeoutMs, 600_000), `reading graph ${graph}`);
  if (!nt.trim()) return '';
  const store = new Store();
  try {
    store.load(nt, { format: 'application/n-triples', to_graph_name: namedNode(graph) });
  } catch (e) {
    throw new StoreError(`the SPARQL server sent invalid N-Triples for graph ${graph}: ${(e as Error).message}`, 'unavailable');
  }
  if (nt.includes(`^^<${XSD_DOUBLE}>`) || nt.includes(`^^<${XSD_FLOAT}>`)) {
    // the server's N-Triples round doubles to 6 digits (see exactQuery in queries.ts): take them through STR()
    const rows = await requests.internalSelect(
      `SELECT ?s ?p (STR(?o) AS ?lex) (DATATYPE(?o) AS ?dt) WHERE { GRAPH <${graph}> { ?s ?p ?o FILTER(isLiteral(?o) && (DATATYPE(?o) = <${XSD_DOUBLE}> || DATATYPE(?o) = <${XSD_FLOAT}>)) } }`,
      `reading the numbers of graph ${graph}`,
    );
    const g = namedNode(graph);
    for (const dt of [XSD_DOUBLE, XSD_FLOAT]) for (const q of store.match(null, null, null, g)) if (q.object.termType === 'Literal' && q.object.datatype.value === dt) store.delete(q);
    for (const row of rows) {
      const subj = row.s.type === 'uri' ? namedNode(row.s.value) : blankNode(row.s.value);
      store.add(quad(subj, namedNode(row.p.value), oxLiteral(row.lex.value, namedNode(row.dt.value)), g));
    }
  }
  const expected = await requests.countGraph(graph);
  if (store.size !== expected) {
    throw new StoreError(`graph ${graph} has ${expected} quads but the server returned ${store.size}: its result-size limit cut the answer (Virtuoso: raise [SPARQL] ResultSetMaxRows in virtuoso.ini)`, 'too-large');
  }
  return store.dump({ format: 'application/n-quads' });
}

/**
 * One page of an unordered scan of a graph as N-Quads (writes wait meanwhile, so the pages of
 * one backup are of the same state and, on Virtuoso, in the same index order). Literals are read
 * through STR(): Virtuoso's result formats round doubles to 6 digits.
 */
async function dumpPage(requests: RemoteRequests, graph: string, limit: number, offset: number): Promise<string> {
  const rows = await requests.internalSelect(
    `SELECT ?s ?p ?o (STR(?o) AS ?lex) (DATATYPE(?o) AS ?dt) (LANG(?o) AS ?lang) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH <${graph}> { ?s ?p ?o } } LIMIT ${limit} OFFSET ${offset} } }`,
    `reading graph ${graph} (quads ${offset + 1} to ${offset + limit})`,
  );
  let out = '';
  for (const r of rows) {
    const o = r.o.type === 'literal' ? ntLiteral(r.lex.value, r.lang?.value.toLowerCase(), r.dt?.value) : ntBindingTerm(r.o);
    out += `${ntBindingTerm(r.s)} ${ntBindingTerm(r.p)} ${o} <${graph}> .\n`;
  }
  return out;
}

/**
 * Write `graphs` as N-Quads to `path` (gzip when it ends in .gz); graphs larger than `page` quads
 * are read in pages. The caller keeps writes out meanwhile, so the file is consistent.
 */
export async function writeBackup(requests: RemoteRequests, gated: <T>(graphs: GraphSet, fn: () => Promise<T>) => Promise<T>, path: string, graphs: string[], page: number): Promise<void> {
  async function* parts() {
    for (const g of graphs) {
      const n = await requests.countGraph(g);
      if (n <= page) {
        yield await gated(new Set([g]), () => dumpGraph(requests, g));
        continue;
      }
      // a large graph (a table) in pages: no single answer has to hold it
      let written = 0;
      for (let offset = 0; offset < n; offset += page) {
        const text = await gated(new Set([g]), () => dumpPage(requests, g, page, offset));
        written += text ? text.split('\n').length - 1 : 0;
        yield text;
      }
      if (written !== n) throw new StoreError(`backup: graph ${g} has ${n} quads but its pages held ${written}; the backup is incomplete`, 'unavailable');
    }
  }
  const out = createWriteStream(path);
  if (path.endsWith('.gz')) await pipeline(Readable.from(parts()), createGzip(), out);
  else await pipeline(Readable.from(parts()), out);
}
