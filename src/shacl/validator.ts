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
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Parser, Store, DataFactory } from 'n3';
import type { Quad, Term, DatasetCore } from '@rdfjs/types';
import './grapoi-fast-dataset.js';
import Validator from 'shacl-engine/Validator.js';
import type { EngineResult, EnginePathStep, EngineReport } from 'shacl-engine/Validator.js';
import { NS, compactIri } from '../model/namespaces.js';
import { parseQuery, walk, SparqlSyntaxError } from '../sparql/index.js';

const { namedNode } = DataFactory;

export type Severity = 'Violation' | 'Warning' | 'Info';

export interface ValidationResult {
  /** The focus node: an IRI, or `_:label` for a blank node. */
  focusNode: string;
  /** The result path, readable: a CURIE (`syndb:species`) or a SPARQL-like path (`^ex:p/ex:q`, `(ex:a|ex:b)`, `ex:p*`). */
  path?: string;
  /** The offending value, readable: the lexical form of a literal, an IRI, or `_:label`. */
  value?: string;
  /** What is wrong, in one sentence: the shape's sh:message if it has one, else a message naming the value and what was expected. */
  message: string;
  severity: Severity;
  /** The shape that produced the result: IRI or `_:label`. */
  sourceShape?: string;
  /** The constraint component as a CURIE, e.g. `sh:MinCountConstraintComponent`. */
  constraint: string;
  /** The same things as RDF terms in Turtle/N-Triples syntax (used by reportToTurtle and tests). */
  terms: {
    focusNode: string;
    value?: string;
    /** Turtle form of the SHACL path (`<p>`, `[ <sh#inversePath> <p> ]`, `( <a> <b> )`). */
    path?: string;
    severity: string;
    sourceShape?: string;
    constraint: string;
    sourceConstraint?: string;
  };
}

export interface ValidationReport {
  conforms: boolean;
  results: ValidationResult[];
  /** The engine's own report graph, only when `options.raw` was set. Not JSON-serialisable. */
  raw?: DatasetCore;
}

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

export interface ChunkSafety {
  /** True when validating subject groups separately gives the same report as validating everything at once. */
  safe: boolean;
  /** Why not (one line per shape feature found). */
  reasons: string[];
}

export interface Shapes {
  /** The merged shapes graph. */
  quads: Quad[];
  store: Store;
  /** Files the shapes came from (empty when built from text). */
  files: string[];
  /** Uses SHACL-SPARQL (sh:sparql constraints or sh:target with sh:select). */
  usesSparql: boolean;
  chunkSafety: ChunkSafety;
  /** @internal compiled engine */
  engine: Validator;
  /** @internal complex paths replaced by stand-in predicates for the engine */
  rewrites: Array<{ predicate: string; path: Term }>;
  /** @internal values of sh:targetNode */
  targetNodes: Term[];
}

const SH = NS.sh;
const RDF_TYPE = `${NS.rdf}type`;
const RDF_FIRST = `${NS.rdf}first`;
const RDF_REST = `${NS.rdf}rest`;
const RDF_NIL = `${NS.rdf}nil`;

const engineFactory = {
  ...DataFactory,
  dataset: (quads?: Quad[]) => new Store(quads),
};

/** The project root: the nearest folder above this module that holds package.json (works from src/ and dist/src/). */
export function projectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json found above ${from}`);
    dir = up;
  }
}

/** Parse RDF text (Turtle, N-Triples, N-Quads) into quads; errors name the source and the line. */
export function parseRdf(text: string, format: string, baseIRI?: string, source = 'input'): Quad[] {
  try {
    return new Parser({ format, baseIRI }).parse(text) as Quad[];
  } catch (err) {
    throw new Error(`cannot parse ${source} as ${format}: ${(err as Error).message}`);
  }
}

/**
 * SHACL-SPARQL support (shacl-engine/sparql.js pulls in Comunica, about a second of module loading
 * and much memory): loaded only for shapes that use sh:sparql, sh:select or sh:ask. Our own shapes
 * use none. loadShapes loads it when needed; callers of compileShapes with such shapes await it first.
 */
type SparqlSupport = typeof import('shacl-engine/sparql.js');
let sparqlSupport: SparqlSupport | undefined;
export async function loadSparqlSupport(): Promise<void> {
  sparqlSupport ??= await import('shacl-engine/sparql.js');
}

/** Whether a shapes graph uses SHACL-SPARQL (sh:sparql constraints, SPARQL-based targets). */
function shapesUseSparql(store: Store): boolean {
  return store.countQuads(null, namedNode(`${SH}sparql`), null, null) > 0 ||
    store.countQuads(null, namedNode(`${SH}select`), null, null) > 0 ||
    store.countQuads(null, namedNode(`${SH}ask`), null, null) > 0;
}

/** Load and merge every shapes/*.ttl (sorted by name) of `dir` (default: <project>/shapes). */
export async function loadShapes(dir: string = join(projectRoot(), 'shapes')): Promise<Shapes> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.ttl')).sort();
  if (names.length === 0) throw new Error(`no shapes (*.ttl) in ${dir}`);
  const quads: Quad[] = [];
  const files: string[] = [];
  for (const name of names) {
    const file = resolve(dir, name);
    files.push(file);
    const text = await readFile(file, 'utf8');
    // One parser per file: blank node labels stay distinct between files.
    quads.push(...parseRdf(text, 'text/turtle', pathToFileURL(file).href, file));
  }
  if (quads.some((q) => q.predicate.value === `${SH}sparql` || q.predicate.value === `${SH}select` || q.predicate.value === `${SH}ask`)) await loadSparqlSupport();
  return compileShapes(quads, files);
}

/** Build Shapes from a shapes graph (quads, or Turtle text). */
export function compileShapes(shapes: Quad[] | string, files: string[] = [], baseIRI?: string): Shapes {
  const quads = typeof shapes === 'string' ? parseRdf(shapes, 'text/turtle', baseIRI, 'shapes') : shapes;
  const store = new Store();
  for (const q of quads) store.addQuad(q.subject, q.predicate, q.object);
  const usesSparql = shapesUseSparql(store);
  if (usesSparql && !sparqlSupport) throw new Error('these shapes use SHACL-SPARQL: await loadSparqlSupport() (src/shacl/validator.ts) before compileShapes');
  if (usesSparql) checkSparqlQueries(store);
  const { engineStore, rewrites } = rewriteComplexPaths(store);
  const engine = new Validator(engineStore, {
    factory: engineFactory,
    ...(usesSparql && sparqlSupport ? { validations: sparqlSupport.validations, targetResolvers: sparqlSupport.targetResolvers } : {}),
  });
  const targetNodes = store.getObjects(null, namedNode(`${SH}targetNode`), null);
  return { quads, store, files, usesSparql, chunkSafety: analyseChunkSafety(store), engine, rewrites, targetNodes };
}

// ---------------------------------------------------------------------------------------
// Paths shacl-engine cannot evaluate
// ---------------------------------------------------------------------------------------

/** Prefix of the stand-in predicates for complex paths (never seen by users). */
const PATH_STANDIN = 'urn:syndb:shacl:path:';

/**
 * shacl-engine models a path as a sequence of steps, each one predicate, an alternative of
 * plain predicates, an inverse predicate or a quantified predicate. Any other path (e.g. an
 * alternative whose member is a sequence, `species | specimen/species`, or the inverse of a
 * sequence) would silently match nothing. Such sh:path values are replaced, in the shapes the
 * engine sees, by a stand-in predicate whose triples validate() materialises by evaluating the
 * real path on the data (see materialisePaths). Results are reported with the real path, and
 * closed shapes ignore the stand-ins. The stand-in triples are visible to SHACL-SPARQL queries.
 */
function rewriteComplexPaths(store: Store): { engineStore: Store; rewrites: Array<{ predicate: string; path: Term }> } {
  const rewrites: Array<{ predicate: string; path: Term }> = [];
  const pathQuads = store.getQuads(null, namedNode(`${SH}path`), null, null);
  const complex = pathQuads.filter((q) => !engineSupportsPath(store, q.object));
  if (complex.length === 0) return { engineStore: store, rewrites };
  const engineStore = new Store(store.getQuads(null, null, null, null));
  const byPath = new Map<string, string>();
  for (const q of complex) {
    const key = pathStructure(store, q.object);
    let predicate = byPath.get(key);
    if (!predicate) {
      predicate = `${PATH_STANDIN}${byPath.size}`;
      byPath.set(key, predicate);
      rewrites.push({ predicate, path: q.object });
    }
    engineStore.removeQuad(q);
    engineStore.addQuad(q.subject, q.predicate, namedNode(predicate));
  }
  // Closed shapes must not count the stand-in triples as extra properties: add the stand-ins
  // to every sh:ignoredProperties list (nested shapes included, e.g. inside sh:xone).
  const ignored = namedNode(`${SH}ignoredProperties`);
  for (const shape of engineStore.getSubjects(namedNode(`${SH}closed`), null, null)) {
    const old = engineStore.getQuads(shape, ignored, null, null);
    const items: Term[] = old.length ? rdfList(engineStore, old[0].object) ?? [] : [];
    for (const q of old) engineStore.removeQuad(q);
    let head: Term = namedNode(RDF_NIL);
    for (const item of [...items, ...rewrites.map((r) => namedNode(r.predicate))].reverse()) {
      const cell = DataFactory.blankNode();
      engineStore.addQuad(cell, namedNode(RDF_FIRST), item as never);
      engineStore.addQuad(cell, namedNode(RDF_REST), head as never);
      head = cell;
    }
    engineStore.addQuad(shape, ignored, head as never);
  }
  return { engineStore, rewrites };
}

function pathStructure(store: Store, node: Term, depth = 0): string {
  if (node.termType !== 'BlankNode' || depth > 50) return ntTerm(node);
  return `[${store.getQuads(node as Quad['subject'], null, null, null).map((q) => `${q.predicate.value}=${pathStructure(store, q.object, depth + 1)}`).sort().join(';')}]`;
}

function engineSupportsStep(store: Store, node: Term): boolean {
  if (node.termType === 'NamedNode') return true;
  const one = (p: string) => objects(store, node, SH + p)[0];
  const alt = one('alternativePath');
  if (alt) return (rdfList(store, alt) ?? []).every((t) => t.termType === 'NamedNode');
  for (const p of ['inversePath', 'zeroOrMorePath', 'oneOrMorePath', 'zeroOrOnePath']) {
    const t = one(p);
    if (t) return t.termType === 'NamedNode';
  }
  return false;
}

function engineSupportsPath(store: Store, node: Term): boolean {
  if (engineSupportsStep(store, node)) return true;
  const list = rdfList(store, node);
  // a sequence of supported steps, nested sequences included (the engine flattens them)
  return !!list && list.length > 0 && list.every((t) => engineSupportsPath(store, t));
}

/** The value nodes reached from `start` by the SHACL path `path` (a node of the shapes graph). */
function evalPath(shapesStore: Store, path: Term, data: Store, start: Term, depth = 0): Term[] {
  if (depth > 100) throw new Error('SHACL path nested too deeply');
  const uniq = (ts: Term[]) => { const m = new Map<string, Term>(); for (const t of ts) m.set(ntTerm(t), t); return [...m.values()]; };
  if (path.termType === 'NamedNode') {
    return start.termType === 'Literal' ? [] : data.getObjects(start as Quad['subject'], path as Quad['predicate'], null);
  }
  const list = rdfList(shapesStore, path);
  if (list && list.length > 0) {
    let current: Term[] = [start];
    for (const step of list) current = uniq(current.flatMap((n) => evalPath(shapesStore, step, data, n, depth + 1)));
    return current;
  }
  const one = (p: string) => objects(shapesStore, path, SH + p)[0];
  let t: Term | undefined;
  if ((t = one('alternativePath'))) {
    return uniq((rdfList(shapesStore, t) ?? []).flatMap((alt) => evalPath(shapesStore, alt, data, start, depth + 1)));
  }
  if ((t = one('inversePath'))) {
    if (t.termType === 'NamedNode') return data.getSubjects(t as Quad['predicate'], start as Quad['object'], null);
    const inner = t;
    const candidates = uniq(data.getSubjects(null, null, null));
    return candidates.filter((c) => evalPath(shapesStore, inner, data, c, depth + 1).some((v) => ntTerm(v) === ntTerm(start)));
  }
  const closure = (inner: Term, includeStart: boolean, maxSteps: number) => {
    const seen = new Map<string, Term>();
    if (includeStart) seen.set(ntTerm(start), start);
    let frontier: Term[] = [start];
    for (let i = 0; i < maxSteps && frontier.length; i++) {
      const next: Term[] = [];
      for (const n of frontier) {
        for (const v of evalPath(shapesStore, inner, data, n, depth + 1)) {
          const k = ntTerm(v);
          if (!seen.has(k)) { seen.set(k, v); next.push(v); }
        }
      }
      frontier = next;
    }
    return [...seen.values()];
  };
  if ((t = one('zeroOrMorePath'))) return closure(t, true, Infinity);
  if ((t = one('oneOrMorePath'))) return closure(t, false, Infinity);
  if ((t = one('zeroOrOnePath'))) return closure(t, true, 1);
  return [];
}

/** Add the stand-in triples of every rewritten path, from every node that could be a focus node. */
function materialisePaths(shapes: Shapes, data: Store): void {
  if (shapes.rewrites.length === 0) return;
  const starts = new Map<string, Term>();
  for (const q of data.getQuads(null, null, null, null)) {
    starts.set(ntTerm(q.subject), q.subject);
    if (q.object.termType !== 'Literal') starts.set(ntTerm(q.object), q.object);
  }
  for (const t of shapes.targetNodes) starts.set(ntTerm(t), t);
  const added: Array<[Term, string, Term]> = [];
  for (const { predicate, path } of shapes.rewrites) {
    for (const start of starts.values()) {
      if (start.termType === 'Literal') continue;
      for (const v of evalPath(shapes.store, path, data, start)) added.push([start, predicate, v]);
    }
  }
  for (const [s, p, o] of added) data.addQuad(s as Quad['subject'], namedNode(p), o as Quad['object']);
}

/**
 * SHACL 1.0 §5.3.1 (pre-binding): queries of SPARQL-based constraints must not use MINUS,
 * VALUES or SERVICE, must not re-bind a pre-bound variable with AS, and every sub-SELECT
 * must project the pre-bound variables it could see. Such shapes graphs are ill-formed;
 * they are rejected here because the engine would silently give wrong answers.
 */
function checkSparqlQueries(store: Store): void {
  const prebound = new Set(['this', 'value', 'shapesGraph', 'currentShape']);
  // the queries' prefixes come from sh:declare (sh:prefixes); all declarations of the shapes graph
  const prefixes: Record<string, string> = {};
  for (const d of store.getQuads(null, namedNode(`${SH}declare`), null, null)) {
    const prefix = store.getObjects(d.object, namedNode(`${SH}prefix`), null)[0]?.value;
    const ns = store.getObjects(d.object, namedNode(`${SH}namespace`), null)[0]?.value;
    if (prefix !== undefined && ns !== undefined) prefixes[prefix] = ns;
  }
  for (const p of ['select', 'ask']) {
    for (const q of store.getQuads(null, namedNode(SH + p), null, null)) {
      const where = `sh:${p} of ${q.subject.termType === 'BlankNode' ? 'a blank node' : `<${q.subject.value}>`}`;
      const ill = (why: string) => new Error(`ill-formed SHACL-SPARQL query in ${where}: ${why} (SHACL 1.0 §5.3.1)`);
      // a prefix declared nowhere gets a stand-in namespace (these checks do not look at IRIs); any
      // other syntax error is reported by the engine when it runs the query
      let tree;
      const known = { ...prefixes };
      for (let tries = 0; !tree && tries < 50; tries++) {
        try {
          tree = parseQuery(q.object.value, { prefixes: known }).tree;
        } catch (e) {
          if (!(e instanceof SparqlSyntaxError)) throw ill((e as Error).message);
          const undeclared = /^Unknown prefix: (\S*)/.exec(e.message)?.[1];
          if (undeclared === undefined || undeclared in known) break;
          known[undeclared] = `urn:syndb:undeclared:${undeclared}:`;
        }
      }
      if (!tree) continue;
      const used = new Set<string>();
      const subqueries: Array<{ variables?: unknown[] }> = [];
      let forbidden: string | undefined, rebind: string | undefined;
      walk(tree, (o) => {
        if (o.termType === 'Variable') used.add(o.value as string);
        if (o.type === 'minus' || o.type === 'values' || o.type === 'service') forbidden ??= (o.type as string).toUpperCase();
        if (o.queryType && Array.isArray(o.values)) forbidden ??= 'VALUES';
        if (o.type === 'query' && o !== (tree as unknown)) subqueries.push(o as { variables?: unknown[] });
        const v = o.variable as { termType?: string; value?: string } | undefined;
        if (o.expression && v?.termType === 'Variable' && prebound.has(v.value!)) rebind ??= v.value;
      });
      if (forbidden) throw ill(`${forbidden} is not allowed in a query with pre-bound variables`);
      if (rebind) throw ill(`it re-binds the pre-bound variable ?${rebind} with AS`);
      for (const sub of subqueries) {
        const vars = sub.variables ?? [];
        if (vars.some((x) => (x as { termType?: string }).termType === 'Wildcard')) continue;
        const projected = new Set(vars.map((x) => (x as { value?: string; variable?: { value: string } }).variable?.value ?? (x as { value?: string }).value));
        for (const v of ['this', 'value']) {
          if (used.has(v) && !projected.has(v)) throw ill(`a sub-SELECT does not project the pre-bound variable $${v}`);
        }
      }
    }
  }
}

function toDataStore(data: string | Iterable<Quad>, options: ValidateOptions): Store {
  const store = new Store();
  const add = (qs: Iterable<Quad>) => {
    for (const q of qs) store.addQuad(q.subject, q.predicate, q.object);
  };
  if (typeof data === 'string') add(parseRdf(data, options.format ?? 'application/n-quads', options.baseIRI, 'data'));
  else add(data);
  if (options.extraQuads) {
    add(typeof options.extraQuads === 'string'
      ? parseRdf(options.extraQuads, /^\s*@prefix|^\s*PREFIX/im.test(options.extraQuads) ? 'text/turtle' : 'application/n-quads', undefined, 'extraQuads')
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

/**
 * Decide whether the shapes can be checked one group of subjects at a time.
 *
 * Chunking (see validateChunks) is correct when every constraint looks only at
 *  - the focus node's own outgoing triples,
 *  - the rdf:type of the nodes it points to (each chunk carries those rdf:type triples), and
 *  - the outgoing triples of blank nodes / skolem IRIs (`/.well-known/genid/`) reachable
 *    from the focus node (each chunk carries that closure),
 * and targets are class, subject-of, objects-of or node targets. It is NOT correct with
 * SHACL-SPARQL constraints or targets (arbitrary queries), inverse paths (need triples
 * whose subject lives in another chunk), transitive paths (`*`, `+`, which can leave the
 * focus node's closure). sh:targetObjectsOf is fine: validateChunks adds the outgoing
 * triples of every object of such a predicate to the chunk that holds the triple. Nested shapes (sh:node, sh:qualifiedValueShape, logical operators)
 * are fine as long as the value nodes they inspect beyond their type are blank nodes or
 * skolem IRIs - which is how docs/graph-model.md stores nested structures.
 */
export function analyseChunkSafety(store: Store): ChunkSafety {
  const reasons: string[] = [];
  const count = (p: string) => store.countQuads(null, namedNode(SH + p), null, null);
  if (count('sparql') > 0) reasons.push('sh:sparql constraints run arbitrary queries over the whole data graph');
  if (count('target') > 0) reasons.push('sh:target (SPARQL-based targets) select focus nodes from the whole data graph');
  if (count('inversePath') > 0) reasons.push('sh:inversePath follows triples whose subject may be in another chunk');
  if (count('zeroOrMorePath') + count('oneOrMorePath') > 0) reasons.push('transitive paths (sh:zeroOrMorePath / sh:oneOrMorePath) can leave the focus node\'s closure');
  return { safe: reasons.length === 0, reasons };
}

export interface ChunkOptions extends ValidateOptions {
  /** Validate even if the shapes are not chunk-safe (the report may then be wrong). */
  force?: boolean;
  /** Called after each chunk with (subjects done, subjects total). */
  onProgress?: (done: number, total: number) => void;
}

function isClosureNode(t: Term): boolean {
  return t.termType === 'BlankNode' || (t.termType === 'NamedNode' && t.value.includes('/.well-known/genid/'));
}

function termKey(t: Term): string {
  return t.termType === 'BlankNode' ? `_:${t.value}` : t.value;
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
    ? parseRdf(options.extraQuads, /^\s*@prefix|^\s*PREFIX/im.test(options.extraQuads) ? 'text/turtle' : 'application/n-quads', undefined, 'extraQuads')
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

// ---------------------------------------------------------------------------------------
// Results: readable fields, Turtle terms, messages
// ---------------------------------------------------------------------------------------

function ntTerm(t: Term): string {
  switch (t.termType) {
    case 'NamedNode': return `<${escapeIri(t.value)}>`;
    case 'BlankNode': return `_:${t.value}`;
    case 'Literal': {
      const lex = `"${escapeLiteral(t.value)}"`;
      if (t.language) return `${lex}@${t.language}`;
      if (t.datatype && t.datatype.value !== `${NS.xsd}string`) return `${lex}^^<${escapeIri(t.datatype.value)}>`;
      return lex;
    }
    default: return `"${escapeLiteral(t.value)}"`;
  }
}

function escapeIri(iri: string): string {
  return iri.replace(/[\u0000-\u0020<>"{}|^`\\]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
}

function readableTerm(t: Term): string {
  if (t.termType === 'BlankNode') return `_:${t.value}`;
  return t.value;
}

/** A CURIE for an IRI if a known prefix fits, else `<iri>`. */
export function curie(iri: string): string {
  const c = compactIri(iri);
  return c === iri ? `<${iri}>` : c;
}

function readableForMessage(t: Term): string {
  if (t.termType === 'Literal') return JSON.stringify(t.value) + (t.language ? `@${t.language}` : '');
  if (t.termType === 'BlankNode') return `a blank node (_:${t.value})`;
  return curie(t.value);
}

/** Objects of (s, p) in the shapes graph. */
function objects(store: Store, s: Term, p: string): Term[] {
  return store.getObjects(s as Quad['subject'], namedNode(p), null);
}

function rdfList(store: Store, head: Term): Term[] | undefined {
  const items: Term[] = [];
  let node = head;
  const seen = new Set<string>();
  while (!(node.termType === 'NamedNode' && node.value === RDF_NIL)) {
    if (seen.has(node.value)) return undefined;
    seen.add(node.value);
    const first = objects(store, node, RDF_FIRST);
    const rest = objects(store, node, RDF_REST);
    if (first.length !== 1 || rest.length !== 1) return undefined;
    items.push(first[0]);
    node = rest[0];
  }
  return items;
}

interface PathForms { turtle: string; readable: string }

/** Turtle and readable forms of a SHACL path node in the shapes graph. */
function pathFromShapes(store: Store, node: Term): PathForms {
  if (node.termType === 'NamedNode') return { turtle: ntTerm(node), readable: curie(node.value) };
  const list = rdfList(store, node);
  if (list && list.length > 0) {
    const parts = list.map((n) => pathFromShapes(store, n));
    return { turtle: `( ${parts.map((p) => p.turtle).join(' ')} )`, readable: parts.map((p) => wrap(p.readable)).join('/') };
  }
  const one = (p: string) => objects(store, node, SH + p)[0];
  let t: Term | undefined;
  if ((t = one('alternativePath'))) {
    const alts = (rdfList(store, t) ?? []).map((n) => pathFromShapes(store, n));
    return { turtle: `[ <${SH}alternativePath> ( ${alts.map((a) => a.turtle).join(' ')} ) ]`, readable: `(${alts.map((a) => a.readable).join('|')})` };
  }
  const unary: Array<[string, (s: string) => string]> = [
    ['inversePath', (s) => `^${wrap(s)}`],
    ['zeroOrMorePath', (s) => `${wrap(s)}*`],
    ['oneOrMorePath', (s) => `${wrap(s)}+`],
    ['zeroOrOnePath', (s) => `${wrap(s)}?`],
  ];
  for (const [p, fmt] of unary) {
    if ((t = one(p))) {
      const inner = pathFromShapes(store, t);
      return { turtle: `[ <${SH}${p}> ${inner.turtle} ]`, readable: fmt(inner.readable) };
    }
  }
  return { turtle: ntTerm(node), readable: `_:${node.value}` };
}

/** Parenthesise a path part unless it is an atom (IRI, CURIE, blank node) or already one parenthesised group. */
function wrap(s: string): string {
  if (/^<[^<>]*>$/.test(s) || /^[^\s/|^*+?()<>]+$/.test(s)) return s;
  if (s.startsWith('(') && s.endsWith(')')) {
    let depth = 0;
    let inIri = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '<') inIri = true;
      else if (c === '>') inIri = false;
      else if (!inIri && c === '(') depth++;
      else if (!inIri && c === ')' && --depth === 0 && i < s.length - 1) return `(${s})`;
    }
    return s;
  }
  return `(${s})`;
}

/** Turtle and readable forms of a path as the engine represents it (sequence of steps). */
function pathFromSteps(steps: EnginePathStep[]): PathForms {
  const parts = steps.map((step): PathForms => {
    const preds = step.predicates.map((p) => ({ turtle: ntTerm(p), readable: curie(p.value) }));
    let base: PathForms = preds.length > 1
      ? { turtle: `[ <${SH}alternativePath> ( ${preds.map((p) => p.turtle).join(' ')} ) ]`, readable: `(${preds.map((p) => p.readable).join('|')})` }
      : preds[0];
    if (step.start === 'object') base = { turtle: `[ <${SH}inversePath> ${base.turtle} ]`, readable: `^${wrap(base.readable)}` };
    switch (step.quantifier) {
      case 'oneOrMore': return { turtle: `[ <${SH}oneOrMorePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}+` };
      case 'zeroOrMore': return { turtle: `[ <${SH}zeroOrMorePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}*` };
      case 'zeroOrOne': return { turtle: `[ <${SH}zeroOrOnePath> ${base.turtle} ]`, readable: `${wrap(base.readable)}?` };
      default: return base;
    }
  });
  if (parts.length === 1) return parts[0];
  return { turtle: `( ${parts.map((p) => p.turtle).join(' ')} )`, readable: parts.map((p) => wrap(p.readable)).join('/') };
}

function severityName(t: Term): Severity {
  if (t.value === `${SH}Warning`) return 'Warning';
  if (t.value === `${SH}Info`) return 'Info';
  return 'Violation';
}

function convertResult(r: EngineResult, shapesStore: Store): ValidationResult {
  const focus = r.focusNode.term!;
  const shapeTerm = r.shape.ptr.term;
  let path: PathForms | undefined;
  const standIn = !!r.path?.some((step) => step.predicates.some((p) => p.value.startsWith(PATH_STANDIN)));
  if (r.path && (r.path === r.shape.path || standIn) && shapeTerm) {
    const pathNode = objects(shapesStore, shapeTerm, `${SH}path`)[0];
    path = pathNode ? pathFromShapes(shapesStore, pathNode) : pathFromSteps(r.path);
  } else if (r.path && r.path.length > 0) {
    path = pathFromSteps(r.path);
  }
  const value = r.value?.term;
  // The engine's built-in texts ("Less than 1 values") are too vague for users: take the
  // engine's message only when it comes from the shapes (sh:message of the shape or of a SPARQL constraint).
  const own = shapeTerm ? objects(shapesStore, shapeTerm, `${SH}message`).length > 0 : false;
  const fromShapes = own || r.constraintComponent.value === `${SH}SPARQLConstraintComponent`;
  const messages = fromShapes ? r.message : [];
  const msg = messages.find((m) => m.language === 'en') ?? messages.find((m) => !m.language) ?? messages[0];
  const constraint = r.constraintComponent.value;
  const message = msg?.value || defaultMessage(r, shapesStore, path?.readable, value);
  const result: ValidationResult = {
    focusNode: readableTerm(focus),
    message,
    severity: severityName(r.severity),
    constraint: curie(constraint),
    terms: {
      focusNode: ntTerm(focus),
      severity: ntTerm(r.severity),
      constraint: ntTerm(r.constraintComponent),
    },
  };
  if (path) { result.path = path.readable; result.terms.path = path.turtle; }
  if (value) { result.value = readableTerm(value); result.terms.value = ntTerm(value); }
  if (shapeTerm) { result.sourceShape = readableTerm(shapeTerm); result.terms.sourceShape = ntTerm(shapeTerm); }
  if (r.source.length > 0) result.terms.sourceConstraint = ntTerm(r.source[0]);
  return result;
}

function param(store: Store, shape: Term | undefined, p: string): Term | undefined {
  return shape ? objects(store, shape, SH + p)[0] : undefined;
}

function argTerm(r: EngineResult, name: string): Term | undefined {
  const a = r.args[name];
  return a && typeof a === 'object' && 'termType' in (a as object) ? (a as Term) : undefined;
}

/** A specific message for results whose shape has no sh:message: what value, what was expected. */
function defaultMessage(r: EngineResult, store: Store, path: string | undefined, value: Term | undefined): string {
  const shape = r.shape.ptr.term;
  const comp = r.constraintComponent.value.slice(SH.length);
  const where = path ? ` of ${path}` : '';
  const v = value ? readableForMessage(value) : 'the value';
  const p = (name: string) => param(store, shape, name);
  const pv = (name: string) => { const t = p(name); return t ? readableForMessage(t) : '?'; };
  switch (comp) {
    case 'MinCountConstraintComponent': {
      const n = Number(p('minCount')?.value ?? 1);
      return `${path ?? 'the property'} is required: expected at least ${n} value${n === 1 ? '' : 's'}`;
    }
    case 'MaxCountConstraintComponent': {
      const n = Number(p('maxCount')?.value ?? 0);
      return `${path ?? 'the property'} has too many values: expected at most ${n}`;
    }
    case 'DatatypeConstraintComponent': {
      const dt = p('datatype');
      const want = dt ? curie(dt.value) : '?';
      if (value?.termType === 'Literal') {
        const has = curie(value.datatype.value);
        return has === want ? `value ${v}${where} is not a valid ${want} (ill-formed lexical form)` : `value ${v}${where} has datatype ${has}, expected ${want}`;
      }
      return `value ${v}${where} is not a literal, expected a ${want}`;
    }
    case 'ClassConstraintComponent': return `value ${v}${where} is not a ${pv('class')} (no rdf:type ${pv('class')} or subclass of it)`;
    case 'NodeKindConstraintComponent': return `value ${v}${where} is not of node kind ${pv('nodeKind')}`;
    case 'PatternConstraintComponent': {
      const flags = p('flags')?.value;
      return `value ${v}${where} does not match the pattern /${p('pattern')?.value ?? '?'}/${flags ?? ''}`;
    }
    case 'MinLengthConstraintComponent': return `value ${v}${where} is shorter than ${p('minLength')?.value ?? '?'} characters`;
    case 'MaxLengthConstraintComponent': return `value ${v}${where} is longer than ${p('maxLength')?.value ?? '?'} characters`;
    case 'MinInclusiveConstraintComponent': return `value ${v}${where} is below the minimum ${p('minInclusive')?.value ?? '?'} (inclusive)`;
    case 'MinExclusiveConstraintComponent': return `value ${v}${where} must be greater than ${p('minExclusive')?.value ?? '?'}`;
    case 'MaxInclusiveConstraintComponent': return `value ${v}${where} is above the maximum ${p('maxInclusive')?.value ?? '?'} (inclusive)`;
    case 'MaxExclusiveConstraintComponent': return `value ${v}${where} must be less than ${p('maxExclusive')?.value ?? '?'}`;
    case 'InConstraintComponent': {
      const list = p('in');
      const items = list ? rdfList(store, list) ?? [] : [];
      return `value ${v}${where} is not one of the allowed values: ${items.map(readableForMessage).join(', ')}`;
    }
    case 'HasValueConstraintComponent': return `${path ?? 'the node'} must have the value ${pv('hasValue')}`;
    case 'LanguageInConstraintComponent': {
      const list = p('languageIn');
      const items = list ? rdfList(store, list) ?? [] : [];
      return `value ${v}${where} has a language tag outside ${items.map((i) => i.value).join(', ')}`;
    }
    case 'UniqueLangConstraintComponent': return `${path ?? 'the property'} has more than one value with language tag "${String(r.args.lang ?? '?')}"`;
    case 'EqualsConstraintComponent': return `value ${v}${where} differs from the values of ${pv('equals')} (they must be equal)`;
    case 'DisjointConstraintComponent': return `value ${v}${where} is also a value of ${pv('disjoint')} (they must be disjoint)`;
    case 'LessThanConstraintComponent': return `value ${v}${where} is not less than the value of ${pv('lessThan')}`;
    case 'LessThanOrEqualsConstraintComponent': return `value ${v}${where} is greater than the value of ${pv('lessThanOrEquals')}`;
    case 'ClosedConstraintComponent': return `property ${path ?? '?'} is not allowed here (closed shape), value ${v}`;
    case 'NodeConstraintComponent': {
      const node = argTerm(r, 'node') ?? p('node');
      return `value ${v}${where} does not conform to shape ${node ? readableForMessage(node) : '?'}`;
    }
    case 'PropertyConstraintComponent': return `value ${v}${where} does not conform to a property shape`;
    case 'NotConstraintComponent': return `value ${v}${where} conforms to shape ${pv('not')}, which it must not`;
    case 'AndConstraintComponent': return `value ${v}${where} does not conform to all shapes of sh:and`;
    case 'OrConstraintComponent': return `value ${v}${where} does not conform to any shape of sh:or`;
    case 'XoneConstraintComponent': return `value ${v}${where} does not conform to exactly one shape of sh:xone`;
    case 'QualifiedMinCountConstraintComponent': return `${path ?? 'the property'} needs at least ${p('qualifiedMinCount')?.value ?? '?'} values conforming to ${pv('qualifiedValueShape')}`;
    case 'QualifiedMaxCountConstraintComponent': return `${path ?? 'the property'} allows at most ${p('qualifiedMaxCount')?.value ?? '?'} values conforming to ${pv('qualifiedValueShape')}`;
    case 'SPARQLConstraintComponent': return `value ${v}${where} violates a SPARQL constraint of shape ${shape ? readableForMessage(shape) : '?'}`;
    default: return `value ${v}${where} violates ${curie(r.constraintComponent.value)}`;
  }
}

// ---------------------------------------------------------------------------------------
// The report as an RDF graph
// ---------------------------------------------------------------------------------------

/**
 * The report as a SHACL validation report graph in Turtle:
 * `[] a sh:ValidationReport ; sh:conforms … ; sh:result [ a sh:ValidationResult ; sh:focusNode … ; sh:resultPath … ;
 *  sh:value … ; sh:resultSeverity … ; sh:sourceShape … ; sh:sourceConstraintComponent … ; sh:resultMessage … ]`.
 */
export function reportToTurtle(report: ValidationReport): string {
  const lines: string[] = [
    `@prefix sh: <${SH}> .`,
    `@prefix xsd: <${NS.xsd}> .`,
    `@prefix rdf: <${NS.rdf}> .`,
    '',
    '[] a sh:ValidationReport ;',
    `  sh:conforms "${report.conforms}"^^xsd:boolean${report.results.length ? ' ;' : ' .'}`,
  ];
  report.results.forEach((r, i) => {
    const t = r.terms;
    const props: string[] = [
      'a sh:ValidationResult',
      `sh:focusNode ${bnodeSafe(t.focusNode)}`,
      `sh:resultSeverity ${t.severity}`,
      `sh:sourceConstraintComponent ${t.constraint}`,
      `sh:resultMessage "${escapeLiteral(r.message)}"`,
    ];
    if (t.path) props.push(`sh:resultPath ${t.path}`);
    if (t.value) props.push(`sh:value ${bnodeSafe(t.value)}`);
    if (t.sourceShape) props.push(`sh:sourceShape ${bnodeSafe(t.sourceShape)}`);
    if (t.sourceConstraint) props.push(`sh:sourceConstraint ${bnodeSafe(t.sourceConstraint)}`);
    lines.push(`${i === 0 ? '  sh:result ' : '    '}[\n      ${props.join(' ;\n      ')}\n    ]${i === report.results.length - 1 ? ' .' : ' ,'}`);
  });
  return lines.join('\n') + '\n';
}

/** Blank node labels from different sources may contain characters Turtle labels cannot; normalise them. */
function bnodeSafe(term: string): string {
  if (!term.startsWith('_:')) return term;
  return `_:${term.slice(2).replace(/[^A-Za-z0-9_-]/g, (c) => `x${c.charCodeAt(0).toString(16)}`)}`;
}
