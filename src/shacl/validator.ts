/**
 * SHACL validation with shacl-engine (core + SHACL-SPARQL), turned into a report that
 * users can read and machines can check.
 *
 *   const shapes = await loadShapes();                 // <project>/shapes/*.ttl merged
 *   const report = await validate(shapes, nquads, { extraQuads });
 *   if (!report.conforms) console.log(report.results);
 *   reportToTurtle(report);                            // a proper sh:ValidationReport graph
 *
 * The data is treated as ONE graph: the graph component of every quad is ignored, so the
 * content of a named graph can be validated as it is stored. `extraQuads` (vocabulary
 * typing such as `obo:NCBITaxon_10090 a syndb:Taxon`, rdfs:subClassOf of the ontology) are
 * added to the data graph the engine sees; they are never focus nodes of their own unless
 * a shape targets them.
 *
 * Large inputs: see {@link validateChunks}.
 */
import { Store } from 'n3';
import type { Quad, Term, DatasetCore } from '@rdfjs/types';
import './grapoi-fast-dataset.js';
import type { EngineReport } from 'shacl-engine/Validator.js';
import { materialisePaths } from './paths.js';
import { convertResult, type ValidationReport, type ValidationResult } from './results.js';
import type { Shapes } from './shapes.js';
import { parseSource } from './shapes.js';
import { RDF_TYPE, SH, namedNode, termKey } from './terms.js';

export interface ValidateOptions {
  /** Quads added to the data graph (vocabulary typing, class hierarchy). Quads or N-Triples/N-Quads/Turtle text. */
  extraQuads?: Quad[] | string;
  /** Syntax of `data` when it is text: 'application/n-quads' (default; N-Triples is a subset) or 'text/turtle'. */
  format?: 'application/n-quads' | 'application/n-triples' | 'text/turtle';
  /** Base IRI for relative IRIs in Turtle data. */
  baseIRI?: string;
  /** Keep the engine's report dataset in `report.raw`. */
  raw?: boolean;
  /** Report only results whose focus node is one of these IRIs (every shape's targets are still resolved on the whole data). */
  focusNodes?: string[];
}

function toDataStore(data: string | Iterable<Quad>, options: ValidateOptions): Store {
  const store = new Store();
  const add = (qs: Iterable<Quad>) => {
    for (const q of qs) store.addQuad(q.subject, q.predicate, q.object);
  };
  if (typeof data === 'string') add(parseSource(data, options.format ?? 'application/n-quads', options.baseIRI, 'data'));
  else add(data);
  if (options.extraQuads) {
    add(typeof options.extraQuads === 'string'
      ? parseSource(options.extraQuads, /^\s*@prefix|^\s*PREFIX/im.test(options.extraQuads) ? 'text/turtle' : 'application/n-quads', undefined, 'extraQuads')
      : options.extraQuads);
  }
  return store;
}

/**
 * Validate `data` (N-Quads / N-Triples text, or quads; graph names ignored) against `shapes`.
 * Never throws for invalid data: problems are results. Throws for unparseable input.
 */
export async function validate(shapes: Shapes, data: string | Quad[], options: ValidateOptions = {}): Promise<ValidationReport> {
  const store = toDataStore(data, options);
  return runEngine(shapes, store, options);
}

/**
 * shacl-engine skips every shape when the data graph is empty, but SHACL still validates
 * sh:targetNode nodes of an empty graph (a required property is then missing). An empty
 * store is therefore handed over behind a view that does not report size 0.
 */
function nonEmptyView(store: Store): DatasetCore {
  if (store.size > 0) return store as unknown as DatasetCore;
  const view = {
    get size() { return 1; },
    match: (...args: Parameters<Store['match']>) => store.match(...args),
    has: (q: Quad) => store.has(q as never),
    add: (q: Quad) => { store.add(q as never); return view; },
    delete: (q: Quad) => { store.delete(q as never); return view; },
    [Symbol.iterator]: () => store[Symbol.iterator](),
  };
  return view as unknown as DatasetCore;
}

async function runEngine(shapes: Shapes, store: Store, options: ValidateOptions): Promise<ValidationReport> {
  materialisePaths(shapes, store);
  let report: EngineReport;
  if (options.focusNodes) {
    // Restrict to the given focus nodes: resolve each shape's targets, keep the listed ones.
    const wanted = new Set(options.focusNodes);
    report = await shapes.engine.validate({ dataset: nonEmptyView(store) });
    report.results = report.results.filter((r) => r.focusNode.term && wanted.has(r.focusNode.term.value));
  } else {
    report = await shapes.engine.validate({ dataset: nonEmptyView(store) });
  }
  const results = report.results.map((r) => convertResult(r, shapes.store));
  const out: ValidationReport = {
    conforms: results.length === 0,
    results,
  };
  if (options.raw) out.raw = report.dataset;
  return out;
}

// ---------------------------------------------------------------------------------------
// Chunked validation of large inputs
// ---------------------------------------------------------------------------------------

export interface ChunkOptions extends ValidateOptions {
  /** Validate even if the shapes are not chunk-safe (the report may then be wrong). */
  force?: boolean;
  /** Called after each chunk with (subjects done, subjects total). */
  onProgress?: (done: number, total: number) => void;
}

function isClosureNode(t: Term): boolean {
  return t.termType === 'BlankNode' || (t.termType === 'NamedNode' && t.value.includes('/.well-known/genid/'));
}

/**
 * Validate a large input `chunkSize` subjects at a time, so that memory stays bounded by
 * the chunk rather than the whole input (shacl-engine needs several KB per triple).
 * Each chunk's data graph = the owned subjects' triples + the closure of their blank-node
 * and skolem objects (and of objects of sh:targetObjectsOf predicates) + every rdf:type triple of the input + `extraQuads`. Results are merged
 * and de-duplicated. Only correct when `shapes.chunkSafety.safe` (see analyseChunkSafety);
 * otherwise it throws unless `force` is set. Quads from an async iterable are consumed once.
 */
export async function validateChunks(
  shapes: Shapes,
  quads: Iterable<Quad> | AsyncIterable<Quad>,
  chunkSize = 5000,
  options: ChunkOptions = {},
): Promise<ValidationReport> {
  if (!shapes.chunkSafety.safe && !options.force) {
    throw new Error(`these shapes cannot be validated in chunks: ${shapes.chunkSafety.reasons.join('; ')}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunkSize must be a positive integer, got ${chunkSize}`);
  const bySubject = new Map<string, Quad[]>();
  const typesOf = new Map<string, Quad[]>();
  for await (const q of quads as AsyncIterable<Quad>) {
    const k = termKey(q.subject);
    let list = bySubject.get(k);
    if (!list) bySubject.set(k, (list = []));
    list.push(q);
    if (q.predicate.value === RDF_TYPE) {
      const t = typesOf.get(k);
      if (t) t.push(q); else typesOf.set(k, [q]);
    }
  }
  const extra: Quad[] = typeof options.extraQuads === 'string'
    ? parseSource(options.extraQuads, /^\s*@prefix|^\s*PREFIX/im.test(options.extraQuads) ? 'text/turtle' : 'application/n-quads', undefined, 'extraQuads')
    : options.extraQuads ?? [];
  // Subjects that are closure nodes are validated with their owner, unless nobody refers to them.
  const referenced = new Set<string>();
  for (const list of bySubject.values()) for (const q of list) if (isClosureNode(q.object)) referenced.add(termKey(q.object));
  const owners = [...bySubject.keys()].filter((k) => !referenced.has(k) || !isClosureNode(bySubject.get(k)![0].subject));

  // Objects of sh:targetObjectsOf predicates are focus nodes: their own triples go along.
  const objectTargets = new Set(shapes.store.getObjects(null, namedNode(`${SH}targetObjectsOf`), null).map((t) => t.value));
  const merged: ValidationResult[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < owners.length; i += chunkSize) {
    const store = new Store();
    const addAll = (qs: Iterable<Quad>) => { for (const q of qs) store.addQuad(q.subject, q.predicate, q.object); };
    addAll(extra);
    const stack: string[] = owners.slice(i, i + chunkSize);
    const done = new Set<string>();
    const typed = new Set<string>();
    while (stack.length) {
      const k = stack.pop()!;
      if (done.has(k)) continue;
      done.add(k);
      const list = bySubject.get(k);
      if (!list) continue;
      addAll(list);
      for (const q of list) {
        if (q.object.termType === 'Literal') continue;
        const ok = termKey(q.object);
        if (isClosureNode(q.object) || objectTargets.has(q.predicate.value)) stack.push(ok);
        else if (!typed.has(ok)) { typed.add(ok); addAll(typesOf.get(ok) ?? []); }
      }
    }
    const report = await runEngine(shapes, store, { ...options, extraQuads: undefined, raw: false });
    for (const r of report.results) {
      // A node whose type came along but whose own triples live in another chunk is judged there.
      const fk = r.focusNode;
      if (bySubject.has(fk) && !done.has(fk)) continue;
      const key = JSON.stringify([r.terms, r.message]);
      if (!seen.has(key)) { seen.add(key); merged.push(r); }
    }
    options.onProgress?.(Math.min(i + chunkSize, owners.length), owners.length);
  }
  return { conforms: merged.length === 0, results: merged };
}
