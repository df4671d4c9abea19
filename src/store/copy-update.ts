/**
 * The SPARQL Update of a 'copy' WriteOp (see graph-store.ts), shared by the embedded store (which
 * runs it in oxigraph) and the remote store (which stages it on the server).
 */

/**
 * Every quad of graph `from` into graph `to`; with `rewrite: [a, b]` the IRI a and IRIs under it
 * (a/… or a#…), in subjects and objects, become the same IRI under b. `page`: only one page of an
 * unordered scan of `from` (LIMIT/OFFSET), for servers that must take a large copy in several
 * requests; the caller checks that the pages together hold every quad.
 */
export function copyUpdate(op: { from: string; to: string; rewrite?: [string, string] }, page?: { limit: number; offset: number }): string {
  const source = page
    ? `{ SELECT ?s ?p ?o WHERE { GRAPH <${op.from}> { ?s ?p ?o } } LIMIT ${page.limit}${page.offset ? ` OFFSET ${page.offset}` : ''} }`
    : `GRAPH <${op.from}> { ?s ?p ?o }`;
  if (!op.rewrite) return page ? `INSERT { GRAPH <${op.to}> { ?s ?p ?o } } WHERE { ${source} }` : `ADD SILENT GRAPH <${op.from}> TO GRAPH <${op.to}>`;
  const [a, b] = op.rewrite;
  const move = (v: string, o: string) =>
    `BIND(IF(isIRI(?${v}) && (STR(?${v}) = ${JSON.stringify(a)} || STRSTARTS(STR(?${v}), ${JSON.stringify(`${a}/`)}) || STRSTARTS(STR(?${v}), ${JSON.stringify(`${a}#`)})), IRI(CONCAT(${JSON.stringify(b)}, SUBSTR(STR(?${v}), ${[...a].length + 1}))), ?${v}) AS ?${o})`;
  return `INSERT { GRAPH <${op.to}> { ?s2 ?p ?o2 } } WHERE { ${source} ${move('s', 's2')} ${move('o', 'o2')} }`;
}
