/**
 * A corpus of malformed and hostile HTTP requests across every endpoint of the service, generated
 * deterministically from a seed. Every request is built so that it must NOT change the store:
 * anonymous writes, writes on another user's dataset, or bodies that are invalid by construction
 * (each authenticated body is checked here to be unparseable or refused by the shapes).
 * Shared by test/chaos (a few thousand requests) and bench/chaos.ts (tens of thousands).
 */
import { rng } from '../../../bench/rng.js';

export type Who = 'anon' | 'owner' | 'other';

export interface HostileRequest {
  /** short description, printed when the request misbehaves */
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  who: Who;
}

/** What the corpus attacks: a dataset the owner has a draft of, and a published one of the owner. */
export interface CorpusTargets {
  /** dataset with only a draft, owned by the `owner` caller */
  draft: string;
  /** dataset published by the `owner` caller (version 1 exists) */
  published: string;
  /** base IRI of the service (graph names) */
  base: string;
}

const deep = (open: string, close: string, n: number, core = '1') => open.repeat(n) + core + close.repeat(n);
const big = (n: number, ch = 'a') => ch.repeat(n);

/** Valid-looking dataset JSON, broken in a named way. */
function badDatasets(id: string): { name: string; body: string; type?: string }[] {
  const ok = { id, title: 'T', description: 'D', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };
  const j = (v: unknown) => JSON.stringify(v);
  return [
    { name: 'empty body', body: '' },
    { name: 'not json', body: '{"id": ' },
    { name: 'json array', body: '[1,2,3]' },
    { name: 'json null', body: 'null' },
    { name: 'json string', body: '"dataset"' },
    { name: 'deep json arrays', body: deep('[', ']', 5000) },
    { name: 'deep json objects', body: deep('{"a":', '}', 5000) },
    { name: 'missing title', body: j({ ...ok, title: undefined }) },
    { name: 'title is object', body: j({ ...ok, title: { '@value': 'x' } }) },
    { name: 'title is number', body: j({ ...ok, title: 12 }) },
    { name: 'empty creators', body: j({ ...ok, creators: [] }) },
    { name: 'creator without name', body: j({ ...ok, creators: [{}] }) },
    { name: 'bad licence', body: j({ ...ok, license: 'not-a-licence' }) },
    { name: 'bad species', body: j({ ...ok, species: 'NCBITaxon:notanumber' }) },
    { name: 'bad region', body: j({ ...ok, brainRegion: 'UBERON:<script>' }) },
    { name: 'bad compartment', body: j({ ...ok, compartments: ['synapse', 'warp-core'] }) },
    { name: 'compartments not list', body: j({ ...ok, compartments: { a: 1 } }) },
    { name: 'proto pollution', body: `{"__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}},${j(ok).slice(1, -1)},"license":7}` },
    { name: 'id traversal', body: j({ ...ok, id: '../../etc/passwd' }) },
    { name: 'id with slash', body: j({ ...ok, id: 'a/b' }) },
    { name: 'id empty', body: j({ ...ok, id: '' }) },
    { name: 'id huge', body: j({ ...ok, id: big(5000) }) },
    { name: 'id unicode control', body: j({ ...ok, id: 'a\u0000b\u202e' }) },
    { name: 'lone surrogate', body: j({ ...ok, license: 'x' }).replace('"x"', '"\\ud800"') },
    { name: 'keywords not strings', body: j({ ...ok, keywords: [{ a: 1 }, [2]], license: 'nope' }) },
    { name: 'doi garbage', body: j({ ...ok, doi: 'javascript:alert(1)', license: 'nope' }) },
    { name: 'url schemes', body: j({ ...ok, homepage: 'file:///etc/passwd', license: 'nope' }) },
    { name: 'date garbage', body: j({ ...ok, embargoEndDate: '99999-99-99', access: 'embargoed' }) },
    { name: 'access garbage', body: j({ ...ok, access: 'everyone-but-me' }) },
    { name: 'numbers huge', body: j({ ...ok, voxelSize: [1e308, -1e308, 0], license: 'nope' }) },
    { name: 'jsonld remote context (SSRF)', type: 'application/ld+json', body: j({ '@context': 'http://169.254.169.254/latest/meta-data/', '@id': 'x' }) },
    { name: 'jsonld file context', type: 'application/ld+json', body: j({ '@context': 'file:///etc/passwd', '@id': 'x' }) },
    { name: 'jsonld nested contexts', type: 'application/ld+json', body: j({ '@context': [{ '@vocab': 'http://x/' }, 'http://127.0.0.1:1/ctx'], a: 1 }) },
    { name: 'jsonld deep graph', type: 'application/ld+json', body: deep('{"http://x/p":', '}', 3000, '"v"') },
    { name: 'jsonld not an object', type: 'application/ld+json', body: '[[[[]]]]' },
    { name: 'turtle garbage', type: 'text/turtle', body: '@prefix : <http://x/> . :a :b' },
    { name: 'turtle bad iri', type: 'text/turtle', body: '<http://x/a b> <http://x/p> "o" .' },
    { name: 'turtle deep bnodes', type: 'text/turtle', body: `@prefix : <http://x/> . :a :p ${deep('[ :p ', ' ]', 20_000, '1')} .` },
    { name: 'turtle deep collections', type: 'text/turtle', body: `@prefix : <http://x/> . :a :p ${deep('( ', ' )', 20_000, '1')} .` },
    { name: 'turtle no dataset', type: 'text/turtle', body: '<http://x/a> <http://x/p> "o" .' },
    { name: 'rdfxml billion laughs', type: 'application/rdf+xml', body: '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/a"><rdf:value>&d;&d;&d;</rdf:value></rdf:Description></rdf:RDF>' },
    { name: 'rdfxml external entity', type: 'application/rdf+xml', body: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://x/a"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>' },
    { name: 'wrong media type', type: 'application/x-shockwave-flash', body: j(ok) },
    { name: 'xml as json', type: 'application/json', body: '<dataset/>' },
  ];
}

const badQueries = [
  'SELECT', 'SELECT * WHERE {', 'SELECT * WHERE { ?s ?p }', '}}}}', 'ASK {', 'PREFIX : SELECT * {}',
  'SELECT * WHERE { ?s ?p ?o } LIMIT -1', 'SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999',
  'SELECT * WHERE { <http://x/a b> ?p ?o }', 'SELECT * WHERE { ?s ?p "unterminated }',
  'SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }',
  'SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }',
  'SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }',
  `SELECT * WHERE { BIND(${deep('(', ')', 2000)} AS ?x) }`,
  `SELECT * WHERE ${deep('{ ', ' }', 2000, '?s ?p ?o')}`,
  `SELECT * WHERE { ?s ${Array.from({ length: 3000 }, (_, i) => `<http://x/p${i}>`).join('/')} ?o }`,
  `SELECT * WHERE { VALUES ?x { ${Array.from({ length: 200_000 }, (_, i) => i).join(' ')} } }`,
  `SELECT * WHERE { ${Array.from({ length: 5000 }, (_, i) => `?s${i} ?p${i} ?o${i} .`).join(' ')} }`,
  'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "(a+)+$")) }',
  'SELECT (STRLEN(CONCAT(?a,?a,?a,?a,?a,?a,?a,?a)) AS ?n) WHERE { BIND("x" AS ?a) }',
  'DESCRIBE ?s WHERE { ?s ?p ?o }',
  'SELECT * WHERE { ?s ?p ?o } ORDER BY ?zzz ?yyy ?xxx',
  'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }',
];

const badUpdates = (t: CorpusTargets) => [
  'INSERT DATA { <http://x/a> <http://x/p> "o" }',
  `INSERT DATA { GRAPH <${t.base}/datasets/${t.published}/versions/1> { <http://x/a> <http://x/p> "o" } }`,
  `DROP GRAPH <${t.base}/datasets/${t.published}/versions/1>`,
  'DROP ALL', 'CLEAR ALL', 'DROP DEFAULT', 'CLEAR NAMED',
  `CLEAR GRAPH <${t.base}/datasets/${t.draft}/draft>`,
  `DELETE WHERE { GRAPH <${t.base}/datasets/${t.draft}/draft> { ?s ?p ?o } }`,
  `COPY <urn:nothing> TO <${t.base}/datasets/${t.draft}/draft>`,
  `MOVE <${t.base}/datasets/${t.published}/versions/1> TO <urn:stolen>`,
  'LOAD <http://169.254.169.254/latest/meta-data/>',
  'LOAD <file:///etc/passwd> INTO GRAPH <urn:x>',
  `INSERT DATA { GRAPH <${t.base}/datasets/${t.draft}/draft> { <${t.base}/datasets/${t.draft}/draft/junk> <https://syndb.org/ontology#species> "not a taxon" } }`,
  `INSERT DATA { GRAPH <${t.base}/datasets/${t.draft}/draft> { ${deep('[ <http://x/p> ', ' ]', 3000, '1')} <http://x/q> 1 } }`,
  'INSERT DATA { GRAPH <urn:x> { <http://x/a> <http://x/p> "unterminated } }',
  'DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }',
  'WITH <urn:x> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }',
  'CREATE GRAPH <urn:x>; CREATE GRAPH <urn:x>',
];

/** Every request kind, before seeded mutation. */
function baseRequests(t: CorpusTargets): HostileRequest[] {
  const out: HostileRequest[] = [];
  const add = (r: HostileRequest) => out.push(r);
  const ids = [t.draft, t.published, 'no-such-dataset', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '%00', big(3000), 'a%ZZb', '<script>alert(1)</script>', '%F0%9F%A7%A0', '%C0%AE%C0%AE'];
  // reads with hostile parameters: must answer 4xx/2xx, never 5xx, never hang
  for (const id of ids) {
    for (const p of ['', '/versions', '/versions/0', '/versions/-1', '/versions/1e400', '/versions/99999999999999999999', '/history', '/lineage', '/linkset', '/cite?style=../../x', '/diff?from=x&to=y', '/tables', '/tables/neuron', '/tables/..%2F..%2Fx', '/tables/synapse?format=evil', '/tables/synapse/rows/%00', '/tables/synapse/stats', '/assets', '/assets/..%2F..%2Fpackage.json', '/versions/1/assets/x']) {
      add({ name: `GET dataset ${id.slice(0, 20)}${p}`, method: 'GET', path: `/datasets/${id}${p}`, who: 'anon' });
    }
  }
  const params = ['q=' + big(100_000), 'q=%ZZ', 'limit=-1', 'limit=1e9', 'offset=NaN', 'page[a][b]=1', 'format=evil', 'format=', 'sort=' + big(500), 'species=' + encodeURIComponent('<x>'), 'region=' + encodeURIComponent('") } DROP ALL {'), 'and=' + big(100), 'q[]=a&q[]=b', 'facets=' + big(10), '__proto__[x]=1', 'constructor[prototype][x]=1'];
  for (const path of ['/datasets', '/', '/catalog', '/sitemap.xml', '/collections', '/archive', '/oai', '/sparql', '/store', '/upload', '/activities/not-a-uuid', '/static/..%2F..%2Fpackage.json', '/sparql/_editor/..%2F..%2Fpackage.json', '/no/such/path']) {
    for (const q of params) add({ name: `GET ${path}?${q.slice(0, 30)}`, method: 'GET', path: `${path}?${q}`, who: 'anon' });
  }
  for (const a of ['*/*;q=abc', 'text/html;q=2', big(8000, 'x'), 'application/sparql-results+json;charset=ebcdic', 'image/png', ', , ,', 'text/turtle;q=0, */*;q=0']) {
    for (const path of ['/datasets', `/datasets/${t.published}`, '/sparql?query=ASK%7B%7D', '/catalog', `/datasets/${t.published}/tables/synapse`]) add({ name: `Accept ${a.slice(0, 20)} ${path}`, method: 'GET', path, headers: { accept: a }, who: 'anon' });
  }
  for (const verb of ['Identify', 'ListRecords', 'GetRecord', 'ListSets', 'Nope']) {
    for (const extra of ['', '&metadataPrefix=evil', '&resumptionToken=' + big(2000, 'Z'), '&identifier=oai:x:' + big(100), '&from=9999-99-99', '&set=%00']) add({ name: `OAI ${verb}${extra.slice(0, 20)}`, method: 'GET', path: `/oai?verb=${verb}${extra}`, who: 'anon' });
  }
  // SPARQL queries: malformed, SSRF, resource-hungry
  for (const q of badQueries) {
    add({ name: `query GET ${q.slice(0, 40)}`, method: 'GET', path: `/sparql?query=${encodeURIComponent(q)}&timeout=500`, who: 'anon' });
    add({ name: `query POST ${q.slice(0, 40)}`, method: 'POST', path: '/sparql?timeout=500', headers: { 'content-type': 'application/sparql-query' }, body: q, who: 'other' });
  }
  add({ name: 'query and update together', method: 'POST', path: '/sparql', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=ASK{}&update=CLEAR%20ALL', who: 'owner' });
  add({ name: 'two queries', method: 'GET', path: '/sparql?query=ASK%7B%7D&query=ASK%7B%7D', who: 'anon' });
  add({ name: 'sparql bad content type', method: 'POST', path: '/sparql', headers: { 'content-type': 'application/octet-stream' }, body: 'ASK {}', who: 'anon' });
  add({ name: 'sparql default-graph-uri garbage', method: 'GET', path: `/sparql?query=ASK%7B%7D&default-graph-uri=${encodeURIComponent('<>{}')}&named-graph-uri=${big(4000)}`, who: 'anon' });
  // SPARQL updates: anonymous, by another user, and hostile by the owner
  for (const u of badUpdates(t)) {
    for (const who of ['anon', 'other', 'owner'] as Who[]) add({ name: `update ${who} ${u.slice(0, 40)}`, method: 'POST', path: '/sparql', headers: { 'content-type': 'application/sparql-update' }, body: u, who });
    add({ name: `update form ${u.slice(0, 40)}`, method: 'POST', path: '/sparql', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `update=${encodeURIComponent(u)}`, who: 'other' });
  }
  // dataset writes
  for (const d of badDatasets(t.draft)) {
    const headers = { 'content-type': d.type ?? 'application/json' };
    add({ name: `POST /datasets ${d.name}`, method: 'POST', path: '/datasets', headers, body: d.body, who: 'owner' });
    add({ name: `PUT draft ${d.name}`, method: 'PUT', path: `/datasets/${t.draft}`, headers, body: d.body, who: 'owner' });
    add({ name: `PUT other's draft ${d.name}`, method: 'PUT', path: `/datasets/${t.draft}`, headers, body: d.body, who: 'other' });
    // a merge patch without a field leaves it as it is: only the descriptions broken otherwise are hostile patches
    if (d.name !== 'missing title') add({ name: `PATCH draft ${d.name}`, method: 'PATCH', path: `/datasets/${t.draft}`, headers, body: d.body, who: 'owner' });
    add({ name: `anon POST ${d.name}`, method: 'POST', path: '/datasets', headers, body: d.body, who: 'anon' });
  }
  for (const who of ['anon', 'other'] as Who[]) {
    add({ name: `${who} publish`, method: 'POST', path: `/datasets/${t.draft}/versions`, headers: { 'content-type': 'application/json' }, body: '{}', who });
    add({ name: `${who} delete`, method: 'DELETE', path: `/datasets/${t.published}`, who });
    add({ name: `${who} withdraw`, method: 'POST', path: `/datasets/${t.published}/versions/1/withdraw`, headers: { 'content-type': 'application/json' }, body: '{"reason":"x"}', who });
  }
  add({ name: 'owner publish with garbage body', method: 'POST', path: `/datasets/${t.draft}/versions`, headers: { 'content-type': 'application/json' }, body: '{"changes": ', who: 'owner' });
  add({ name: 'owner withdraw nonexistent version', method: 'POST', path: `/datasets/${t.published}/versions/99/withdraw`, headers: { 'content-type': 'application/json' }, body: '{"reason":"x"}', who: 'owner' });
  // Graph Store Protocol
  const graphs = [`${t.base}/datasets/${t.draft}/draft`, `${t.base}/datasets/${t.published}/versions/1`, 'javascript:alert(1)', big(5000), '', 'urn:x'];
  for (const g of graphs) {
    for (const [type, body] of [['text/turtle', ''], ['text/turtle', '<a> <b> .'], ['application/n-triples', '<http://x/a> <http://x/p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .'], ['text/turtle', `<${t.base}/datasets/${t.published}/tables/synapse/rows/x2> <https://syndb.org/ontology#voxelVolume> "abc" .`], ['application/ld+json', '{"@context":"http://127.0.0.1:1/"}'], ['text/plain', 'hello']] as const) {
      for (const method of ['PUT', 'POST']) add({ name: `GSP ${method} ${type} ${g.slice(0, 30)}`, method, path: `/store?graph=${encodeURIComponent(g)}`, headers: { 'content-type': type }, body, who: g === 'urn:x' || g.startsWith(t.base) ? 'other' : 'owner' });
    }
    add({ name: `GSP DELETE ${g.slice(0, 30)}`, method: 'DELETE', path: `/store?graph=${encodeURIComponent(g)}`, who: 'other' });
  }
  add({ name: 'GSP default and graph', method: 'GET', path: '/store?default&graph=urn:x', who: 'anon' });
  add({ name: 'GSP PUT default anon', method: 'PUT', path: '/store?default', headers: { 'content-type': 'text/turtle' }, body: '<http://x/a> <http://x/p> 1 .', who: 'anon' });
  // tables
  const csvs = ['', 'cid\n', 'garbage,,,\n"unterminated', 'cid,voxel_volume\nx1,abc\n', 'cid,cid\n1,1\n', `cid,${big(100_000)}\n1,2\n`, 'cid,voxel_volume\n' + 'x,1\n'.repeat(3), '\u0000\u0001\u0002', 'cid,voxel_volume\nx1,1\nx1,2\n'];
  for (const csv of csvs) {
    for (const comp of ['synapse', 'neuron', 'warp-core', '..%2F..%2Fx']) {
      add({ name: `table PUT owner ${comp} ${csv.slice(0, 20)}`, method: 'PUT', path: `/datasets/${t.draft}/tables/${comp}`, headers: { 'content-type': 'text/csv' }, body: csv, who: 'owner' });
      add({ name: `table PUT other ${comp}`, method: 'PUT', path: `/datasets/${t.draft}/tables/${comp}`, headers: { 'content-type': 'text/csv' }, body: csv, who: 'other' });
    }
    add({ name: `table PUT anon published ${csv.slice(0, 20)}`, method: 'PUT', path: `/datasets/${t.published}/tables/synapse`, headers: { 'content-type': 'text/csv' }, body: csv, who: 'anon' });
  }
  for (const [name, body] of [['cave garbage', 'x'], ['connectome garbage', 'a,b\n1'], ['dendritic garbage', '{']] as const) {
    const kind = name.split(' ')[0];
    add({ name: `import ${name}`, method: 'POST', path: `/datasets/${t.draft}/import/${kind}`, headers: { 'content-type': 'text/csv' }, body, who: 'owner' });
    add({ name: `import ${name} other`, method: 'POST', path: `/datasets/${t.draft}/import/${kind}`, headers: { 'content-type': 'text/csv' }, body, who: 'other' });
  }
  // assets (multipart)
  const multipart = (boundary: string, parts: string) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` , body: parts });
  const assetBodies: [string, { 'content-type': string; body: string }][] = [
    ['no boundary', { 'content-type': 'multipart/form-data', body: 'x' }],
    ['empty', multipart('b', '')],
    ['unterminated', multipart('b', '--b\r\nContent-Disposition: form-data; name="file"; filename="a.swc"\r\n\r\n1 1 0 0 0 1 -1\r\n')],
    ['traversal filename', multipart('b', '--b\r\nContent-Disposition: form-data; name="file"; filename="../../../etc/passwd"\r\n\r\nx\r\n--b--\r\n')],
    ['bad swc', multipart('b', '--b\r\nContent-Disposition: form-data; name="file"; filename="a.swc"\r\nContent-Type: application/octet-stream\r\n\r\nnot an swc\r\n--b--\r\n')],
    ['many parts', multipart('b', Array.from({ length: 2000 }, (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + '--b--\r\n')],
    ['json instead', { 'content-type': 'application/json', body: '{}' }],
  ];
  for (const [name, { 'content-type': ct, body }] of assetBodies) {
    add({ name: `asset ${name}`, method: 'POST', path: `/datasets/${t.draft}/assets`, headers: { 'content-type': ct }, body, who: 'owner' });
    add({ name: `asset ${name} other`, method: 'POST', path: `/datasets/${t.published}/assets`, headers: { 'content-type': ct }, body, who: 'other' });
  }
  // collections, archive, upload form
  for (const body of ['', '{', '[]', '{"id":"../x","title":7}', '{"id":"c","title":"t","members":["../../x"]}', `{"id":"c","title":"${big(100_000)}"}`]) {
    add({ name: `collection POST ${body.slice(0, 20)}`, method: 'POST', path: '/collections', headers: { 'content-type': 'application/json' }, body, who: 'anon' });
    add({ name: `collection POST owner ${body.slice(0, 20)}`, method: 'POST', path: '/collections', headers: { 'content-type': 'application/json' }, body, who: 'owner' });
    add({ name: `archive POST ${body.slice(0, 20)}`, method: 'POST', path: '/archive', headers: { 'content-type': 'application/json' }, body, who: 'anon' });
    add({ name: `upload form ${body.slice(0, 20)}`, method: 'POST', path: '/upload', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `json=${encodeURIComponent(body)}`, who: 'anon' });
  }
  // methods and headers
  for (const method of ['OPTIONS', 'PROPFIND', 'TRACE', 'PATCH', 'DELETE', 'PUT']) {
    for (const path of ['/', '/health', '/sparql', '/catalog', '/datasets', `/datasets/${t.published}/versions/1`]) add({ name: `${method} ${path}`, method, path, who: 'anon' });
  }
  for (const token of ['Bearer ', 'Bearer ' + big(10_000), 'Basic YWRtaW46YWRtaW4=', 'Bearer test-admin-tokem', 'Bearer test-admin-token\u0000']) {
    add({ name: `auth ${token.slice(0, 20)}`, method: 'POST', path: '/sparql', headers: { authorization: token.replace(/\u0000/g, '%00'), 'content-type': 'application/sparql-update' }, body: 'DROP ALL', who: 'anon' });
  }
  add({ name: 'content-length lies', method: 'POST', path: '/datasets', headers: { 'content-type': 'application/json', 'x-note': 'short body' }, body: '{', who: 'owner' });
  add({ name: 'gzip garbage', method: 'POST', path: '/datasets', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip', who: 'owner' });
  add({ name: 'charset garbage', method: 'POST', path: '/datasets', headers: { 'content-type': 'application/json; charset=utf-7' }, body: '{}', who: 'owner' });
  return out;
}

/** Byte-level mutations of a body, kept only when the result is still certainly invalid for `who`. */
function mutate(r: HostileRequest, rand: () => number): HostileRequest {
  const body = typeof r.body === 'string' ? r.body : '';
  const kind = Math.floor(rand() * 4);
  if (!body || kind === 0) {
    // path mutation: a random byte in the path replaced or a segment doubled
    const i = Math.floor(rand() * r.path.length);
    const chars = ['%', '/', '..', '\\', '%00', '%ff', '?', '#', ';', '"'];
    return { ...r, name: `${r.name} [path@${i}]`, path: r.path.slice(0, i) + chars[Math.floor(rand() * chars.length)] + r.path.slice(i + 1), who: 'anon' };
  }
  if (kind === 1) return { ...r, name: `${r.name} [truncated]`, body: body.slice(0, Math.floor(rand() * body.length)), who: r.method === 'GET' ? r.who : 'anon' };
  if (kind === 2) {
    const buf = Buffer.from(body);
    for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) buf[Math.floor(rand() * buf.length)] = Math.floor(rand() * 256);
    return { ...r, name: `${r.name} [bytes]`, body: buf, who: 'anon' };
  }
  return { ...r, name: `${r.name} [other user]`, who: r.who === 'anon' ? 'anon' : 'other' };
}

/** `count` hostile requests: every base request once, then seeded mutations of them. */
export function hostileRequests(t: CorpusTargets, count: number, seed = 1): HostileRequest[] {
  const base = baseRequests(t);
  const rand = rng(seed);
  const out = base.slice(0, count);
  while (out.length < count) out.push(mutate(base[Math.floor(rand() * base.length)], rand));
  return out;
}

export const baseRequestCount = (t: CorpusTargets) => baseRequests(t).length;
