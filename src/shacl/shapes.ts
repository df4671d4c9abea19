/**
 * Shapes: shapes/*.ttl loaded, merged and compiled for shacl-engine (complex paths replaced by
 * stand-ins, SHACL-SPARQL support loaded when a shape needs it), and whether they may be checked
 * chunk by chunk (analyseChunkSafety).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../util/paths.js';
import { Store, DataFactory } from 'n3';
import { parseRdf, type RdfTextFormat } from '../util/rdf.js';
import type { Quad, Term } from '@rdfjs/types';
import './grapoi-fast-dataset.js';
import Validator from 'shacl-engine/Validator.js';
import { rewriteComplexPaths } from './paths.js';
import { checkSparqlQueries, loadSparqlSupport, shapesUseSparql, sparqlSupport } from './sparql-constraints.js';
import { SH, namedNode } from './terms.js';

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

const engineFactory = {
  ...DataFactory,
  dataset: (quads?: Quad[]) => new Store(quads),
};

/** util/rdf.ts's parseRdf with errors that name what was parsed ("cannot parse shapes as text/turtle: … line 3"). */
export function parseSource(text: string, format: RdfTextFormat, baseIRI?: string, source = 'input'): Quad[] {
  try {
    return parseRdf(text, format, baseIRI) as Quad[];
  } catch (err) {
    throw new Error(`cannot parse ${source} as ${format}: ${(err as Error).message}`);
  }
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
    quads.push(...parseSource(text, 'text/turtle', pathToFileURL(file).href, file));
  }
  if (quads.some((q) => q.predicate.value === `${SH}sparql` || q.predicate.value === `${SH}select` || q.predicate.value === `${SH}ask`)) await loadSparqlSupport();
  return compileShapes(quads, files);
}

/** Build Shapes from a shapes graph (quads, or Turtle text). */
export function compileShapes(shapes: Quad[] | string, files: string[] = [], baseIRI?: string): Shapes {
  const quads = typeof shapes === 'string' ? parseSource(shapes, 'text/turtle', baseIRI, 'shapes') : shapes;
  const store = new Store();
  for (const q of quads) store.addQuad(q.subject, q.predicate, q.object);
  const usesSparql = shapesUseSparql(store);
  if (usesSparql && !sparqlSupport) throw new Error('these shapes use SHACL-SPARQL: await loadSparqlSupport() (src/shacl/sparql-constraints.ts) before compileShapes');
  if (usesSparql) checkSparqlQueries(store);
  const { engineStore, rewrites } = rewriteComplexPaths(store);
  const engine = new Validator(engineStore, {
    factory: engineFactory,
    ...(usesSparql && sparqlSupport ? { validations: sparqlSupport.validations, targetResolvers: sparqlSupport.targetResolvers } : {}),
  });
  const targetNodes = store.getObjects(null, namedNode(`${SH}targetNode`), null);
  return { quads, store, files, usesSparql, chunkSafety: analyseChunkSafety(store), engine, rewrites, targetNodes };
}


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
