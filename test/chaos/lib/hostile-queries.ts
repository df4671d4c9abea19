/**
 * Queries an anonymous user can send that have taken engines down: deep nesting (traps the
 * WebAssembly engine), cross products under short timeouts (kill workers), huge VALUES, long paths,
 * catastrophic regular expressions, expensive string building. Each comes with relatives, so a fix
 * for one spelling does not leave its neighbour open.
 */
const deep = (open: string, close: string, n: number, core: string) => open.repeat(n) + core + close.repeat(n);

export interface HostileQuery { name: string; query: string; params?: string; concurrency?: number }

export function hostileQueries(): HostileQuery[] {
  const out: HostileQuery[] = [];
  for (const n of [200, 2000, 20_000, 100_000]) {
    out.push({ name: `BIND with ${n} nested parentheses`, query: `SELECT * WHERE { BIND(${deep('(', ')', n, '1')} AS ?x) }` });
    out.push({ name: `${n} nested groups`, query: `SELECT * WHERE ${deep('{ ', ' }', n, '?s ?p ?o')}` });
    out.push({ name: `${n} nested unary minus`, query: `SELECT (${'-'.repeat(n)}1 AS ?x) WHERE {}` });
    out.push({ name: `${n} nested NOT`, query: `SELECT * WHERE { FILTER(${'!'.repeat(n)}true) }` });
  }
  for (const n of [100, 1000, 5000]) {
    out.push({ name: `FILTER NOT EXISTS nested ${n}`, query: `SELECT * WHERE ${deep('{ ?s ?p ?o FILTER NOT EXISTS ', ' }', n, '{ ?a ?b ?c }')}` });
    out.push({ name: `OPTIONAL nested ${n}`, query: `SELECT * WHERE ${deep('{ ?s ?p ?o OPTIONAL ', ' }', n, '{ ?a ?b ?c }')}` });
    out.push({ name: `sub-selects nested ${n}`, query: `SELECT * WHERE ${deep('{ SELECT * WHERE ', ' }', n, '{ ?s ?p ?o }')}` });
    out.push({ name: `alternative path nested ${n}`, query: `SELECT * WHERE { ?s ${deep('(<http://x/a>|', ')', n, '<http://x/b>')} ?o }` });
    out.push({ name: `sequence path ${n}`, query: `SELECT * WHERE { ?s ${Array.from({ length: n }, () => '<http://x/p>').join('/')} ?o }` });
    out.push({ name: `function calls nested ${n}`, query: `SELECT (${deep('STR(', ')', n, '1')} AS ?x) WHERE {}` });
    out.push({ name: `UNION chain ${n}`, query: `SELECT * WHERE { ${Array.from({ length: n }, (_, i) => `{ ?s <http://x/p${i}> ?o }`).join(' UNION ')} }` });
  }
  out.push({ name: 'VALUES with 500,000 rows', query: `SELECT * WHERE { VALUES ?x { ${Array.from({ length: 500_000 }, (_, i) => i).join(' ')} } }` });
  out.push({ name: '20,000 triple patterns', query: `SELECT * WHERE { ${Array.from({ length: 20_000 }, (_, i) => `?s${i} ?p ?o .`).join(' ')} }` });
  out.push({ name: 'cross product of 3', query: 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }', params: 'timeout=200' });
  out.push({ name: 'cross product of 3, 20 at once', query: 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }', params: 'timeout=200', concurrency: 20 });
  out.push({ name: 'cross product of 4 with ORDER BY, 10 at once', query: 'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i LIMIT 1', params: 'timeout=300', concurrency: 10 });
  out.push({ name: 'transitive closure of everything', query: 'SELECT (COUNT(*) AS ?n) WHERE { ?s (<http://x/p>|!<http://x/q>)* ?o }', params: 'timeout=300', concurrency: 8 });
  out.push({ name: 'catastrophic regex', query: `SELECT * WHERE { BIND("${'a'.repeat(40)}!" AS ?x) FILTER(REGEX(?x, "^(a+)+$")) }` });
  out.push({ name: 'string doubling', query: `SELECT (STRLEN(${deep('CONCAT(', ', "x")', 20, '"xxxxxxxxxxxxxxxx"')}) AS ?n) WHERE {}` });
  out.push({ name: 'string explosion via REPLACE', query: `SELECT (STRLEN(${deep('REPLACE(', ', ".", "xxxxxxxx")', 8, '"ab"')}) AS ?n) WHERE {}` });
  out.push({ name: 'huge literal', query: `SELECT * WHERE { BIND("${'x'.repeat(2_000_000)}" AS ?x) }` });
  out.push({ name: 'huge IRI', query: `SELECT * WHERE { <http://x/${'a'.repeat(2_000_000)}> ?p ?o }` });
  out.push({ name: 'invalid UTF-8 escapes', query: 'SELECT * WHERE { BIND("\\uD800" AS ?x) }' });
  out.push({ name: 'service to loopback', query: 'SELECT * WHERE { SERVICE <http://127.0.0.1:22/> { ?s ?p ?o } }' });
  out.push({ name: 'describe everything', query: 'DESCRIBE ?s WHERE { ?s ?p ?o }', params: 'timeout=300', concurrency: 4 });
  out.push({ name: 'construct the store 8 times', query: 'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } ?a ?b ?c }', params: 'timeout=300', concurrency: 4 });
  return out;
}
