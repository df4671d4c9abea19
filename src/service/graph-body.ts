/**
 * An RDF graph sent to the Graph Store (Turtle, N-Triples, RDF/XML, JSON-LD) -> N-Triples lines,
 * with the same count/depth/string limits as dataset uploads (model/input-limits.ts). Runs in a
 * parse worker for large bodies (service/check-pool.ts).
 */
import oxigraph from 'oxigraph';
import { checkQuadLimits, type InputLimits } from '../model/input-limits.js';
import type { Quad } from '../util/rdf.js';
import { tripleLine } from '../util/triple-lines.js';

/** The body is not valid RDF in the declared syntax (a 400). */
export class GraphSyntaxError extends Error {
  constructor(message: string) { super(message); this.name = 'GraphSyntaxError'; }
}

export function parseGraphText(text: string, format: string, base: string, limits: InputLimits): string[] {
  const s = new oxigraph.Store();
  try {
    s.load(text, { format, base_iri: base, to_graph_name: oxigraph.defaultGraph() });
  } catch (e) {
    throw new GraphSyntaxError((e as Error).message);
  }
  const quads = s.match(null, null, null, oxigraph.defaultGraph());
  checkQuadLimits(quads as unknown as Quad[], limits);
  return quads.map(tripleLine);
}
