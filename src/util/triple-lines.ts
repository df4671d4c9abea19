/**
 * N-Triples lines in oxigraph's term syntax: the one form in which SPARQL Update and the Graph
 * Store Protocol compare graphs (service/sparql-update.ts, service/graph-body.ts).
 */
import oxigraph from 'oxigraph';

/** Is offset `off` of an N-Triples line inside a literal? */
export function insideLiteral(s: string, off: number): boolean {
  let inside = false;
  for (let i = 0; i < off; i++) {
    if (s[i] === '\\') { i++; continue; }
    if (s[i] === '"') inside = !inside;
  }
  return inside;
}

/** N-Quads of one graph → N-Triples lines (drops the graph term; our dumps have no blank graph names). */
export function stripGraph(nquads: string): string {
  if (!nquads) return '';
  const s = new oxigraph.Store();
  s.load(nquads, { format: 'application/n-quads' });
  const out: string[] = [];
  for (const q of s.match(null, null, null, null)) out.push(tripleLine(q));
  return out.join('\n');
}

/** One triple as an N-Triples line, in oxigraph's term syntax (the one form every diff here compares). */
export function tripleLine(q: { subject: { toString(): string }; predicate: { toString(): string }; object: { toString(): string } }): string {
  return `${q.subject.toString()} ${q.predicate.toString()} ${q.object.toString()} .`;
}

/** An N-Triples line as an N-Quads line of graph g. */
export function toQuadLine(triple: string, g: string): string {
  return `${triple.replace(/\s*\.\s*$/, '')} <${g}> .\n`;
}
