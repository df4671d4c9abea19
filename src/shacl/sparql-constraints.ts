/** SHACL-SPARQL: the engine's SPARQL support, loaded only for shapes that use it, and the checks of their queries. */
import { Store } from 'n3';
import { parseQuery, walk, SparqlSyntaxError } from '../sparql/index.js';
import { SH, namedNode } from './terms.js';

/**
 * SHACL-SPARQL support (shacl-engine/sparql.js pulls in Comunica, about a second of module loading
 * and much memory): loaded only for shapes that use sh:sparql, sh:select or sh:ask. Our own shapes
 * use none. loadShapes loads it when needed; callers of compileShapes with such shapes await it first.
 */
type SparqlSupport = typeof import('shacl-engine/sparql.js');

export let sparqlSupport: SparqlSupport | undefined;

export async function loadSparqlSupport(): Promise<void> {
  sparqlSupport ??= await import('shacl-engine/sparql.js');
}

/** Whether a shapes graph uses SHACL-SPARQL (sh:sparql constraints, SPARQL-based targets). */
export function shapesUseSparql(store: Store): boolean {
  return store.countQuads(null, namedNode(`${SH}sparql`), null, null) > 0 ||
    store.countQuads(null, namedNode(`${SH}select`), null, null) > 0 ||
    store.countQuads(null, namedNode(`${SH}ask`), null, null) > 0;
}

/**
 * SHACL 1.0 §5.3.1 (pre-binding): queries of SPARQL-based constraints must not use MINUS,
 * VALUES or SERVICE, must not re-bind a pre-bound variable with AS, and every sub-SELECT
 * must project the pre-bound variables it could see. Such shapes graphs are ill-formed;
 * they are rejected here because the engine would silently give wrong answers.
 */
export function checkSparqlQueries(store: Store): void {
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
