/**
 * SPARQL Update over /sparql under the rules of every write: rights, SHACL validation of each
 * changed graph, rejected whole (nothing changes) with the report, atomic, with a PROV-O record.
 * Also: dataset clauses and update targets read from the syntax tree (src/sparql), robustness (timeout, concurrency, atomic visibility).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';
import { analyseQuery, analyseUpdate, parseQuery, parseUpdate, withUsing } from '../src/sparql/index.js';

const aq = (q: string) => analyseQuery(parseQuery(q, { base: 'http://b/' }).tree);
const au = (u: string) => analyseUpdate(parseUpdate(u, { base: 'http://b/' }).tree);

let svc: TestService;
let alice: string;
let bob: string;
const DRAFT = `${BASE}/datasets/upd-spines/draft`;
const PROV = `${BASE}/datasets/upd-spines/provenance`;

beforeAll(async () => {
  svc = await startTestService();
  alice = svc.ctx.tokens.create('alice', 'contributor');
  bob = svc.ctx.tokens.create('bob', 'contributor');
  const r = await svc.fetch('/datasets', {
    method: 'POST', token: alice, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'upd-spines', title: 'Update target', description: 'd', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] }),
  });
  expect(r.status).toBe(201);
}, 60_000);
afterAll(async () => svc?.stop());

const update = (u: string, token: string | null, params = '') => svc.fetch(`/sparql${params}`, { method: 'POST', token, headers: { 'content-type': 'application/sparql-update' }, body: u });
const ask = async (q: string, token: string | null = ADMIN_TOKEN) => {
  const r = await svc.fetch(`/sparql?query=${encodeURIComponent(q)}`, { token, headers: { accept: 'application/sparql-results+json' } });
  return (await r.json()).boolean as boolean;
};
const select = async (q: string, token: string | null = ADMIN_TOKEN) => {
  const r = await svc.fetch('/sparql', { method: 'POST', token, headers: { accept: 'application/sparql-results+json', 'content-type': 'application/sparql-query' }, body: q });
  expect(r.status).toBe(200);
  return (await r.json()).results.bindings as Record<string, { value: string }>[];
};

describe('syntax tree: dataset clauses, SERVICE, USING, update targets', () => {
  it('skips strings, IRIs and comments', () => {
    const a = aq(`PREFIX ex: <http://ex/> # FROM <http://c/comment>
      SELECT ?x FROM ex:g1 FROM NAMED <http://ex/g2> WHERE { ?x ?p "FROM <http://s/string>" . ?x ?q 'it\\'s' FILTER(?x != <http://ex/FROM>) }`);
    expect(a.form).toBe('SELECT');
    expect(a.from).toEqual(['http://ex/g1']);
    expect(a.fromNamed).toEqual(['http://ex/g2']);
  });
  it('finds the form after a prologue, CONSTRUCT templates before FROM, long strings', () => {
    const a = aq(`BASE <http://b/> PREFIX : <http://d/> CONSTRUCT { ?s :p """ SELECT { FROM <x> """ } FROM <g> WHERE { ?s ?p ?o }`);
    expect(a.form).toBe('CONSTRUCT');
    expect(a.from).toEqual(['http://b/g']);
    expect(aq('ASK{}').form).toBe('ASK');
    expect(aq('# SELECT\nDESCRIBE <x>').form).toBe('DESCRIBE');
    expect(() => aq('"SELECT"')).toThrow(/syntax error at line 1/);
  });
  it('detects SERVICE only as a keyword', () => {
    expect(aq('SELECT * { SERVICE <http://x> { ?s ?p ?o } }').usesService).toBe(true);
    expect(aq('SELECT * { ?s <http://ex/SERVICE> "SERVICE" }').usesService).toBe(false);
  });
  it('adds USING clauses to each DELETE/INSERT … WHERE, not to DELETE WHERE', () => {
    const text = 'INSERT { GRAPH <http://g> { ?s ?p ?o } } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c } ; DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { { SELECT * WHERE { ?s ?p ?o } } }';
    const tree = parseUpdate(text).tree;
    expect(withUsing(text, tree, [], [])).toBe(text);
    const out = withUsing(text, tree, ['http://u'], ['http://n']);
    expect(out.match(/USING <http:\/\/u>\s+USING NAMED <http:\/\/n>\s+WHERE/g)?.length).toBe(2);
    expect(out).toMatch(/DELETE WHERE \{ \?a/);
    expect(au(text).hasUsingOrWith).toBe(false);
    expect(au('WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }').hasUsingOrWith).toBe(true);
    expect([...au('PREFIX e: <http://e/> INSERT DATA { GRAPH e:g { e:s e:p "e:x" } }').iris].sort()).toEqual(['http://e/g', 'http://e/p', 'http://e/s']);
  });
  it('knows which graphs an update writes', () => {
    const t = au('WITH <http://w> DELETE { ?s ?p ?o } INSERT { GRAPH <http://x#a> { ?s ?p 1 } } WHERE { GRAPH <http://r> { ?s ?p ?o } }; COPY <http://src> TO <http://dst>; MOVE <http://m> TO DEFAULT; CREATE GRAPH <http://c>').targets;
    expect([...t.graphs].sort()).toEqual(['http://c', 'http://dst', 'http://m', 'http://w', 'http://x#a']);
    expect(t).toMatchObject({ defaultGraph: true, allNamed: false, dynamic: false });
    expect(au('DELETE WHERE { GRAPH ?g { ?s ?p ?o } }').targets).toMatchObject({ dynamic: true, defaultGraph: false });
    expect(au('CLEAR NAMED').targets).toMatchObject({ allNamed: true, defaultGraph: false });
    expect(au('DROP ALL').targets).toMatchObject({ allNamed: true, defaultGraph: true });
    expect(au('INSERT DATA { <http://s> <http://p> 1 }').targets.defaultGraph).toBe(true);
  });
});

describe('SPARQL Update', () => {
  it('needs a token (401) and a role that may write the graph (403); nothing changes', async () => {
    const before = await svc.quadCount();
    const anon = await update('INSERT DATA { GRAPH <http://ex.org/a> { <http://ex.org/s> <http://ex.org/p> 1 } }', null);
    expect(anon.status).toBe(401);
    const contributor = await update('INSERT DATA { GRAPH <http://ex.org/a> { <http://ex.org/s> <http://ex.org/p> 1 } }', bob);
    expect(contributor.status).toBe(403);
    expect((await contributor.json()).detail).toMatch(/only admins may write graphs outside the dataset IRI space/);
    const other = await update(`INSERT DATA { GRAPH <${DRAFT}> { <${DRAFT}> <http://www.w3.org/ns/dcat#keyword> "bob was here" } }`, bob);
    expect(other.status).toBe(403);
    expect((await other.json()).detail).toMatch(/only the owner of dataset "upd-spines"/);
    expect(await svc.quadCount()).toBe(before);
  });

  it('a published version is immutable', async () => {
    const v = `${BASE}/datasets/l4dense-motta2019/versions/1`;
    const before = await svc.quadCount();
    const r = await update(`DELETE WHERE { GRAPH <${v}> { ?s <http://purl.org/dc/terms/title> ?t } }`, ADMIN_TOKEN);
    expect(r.status).toBe(403);
    expect((await r.json()).detail).toMatch(/published version 1 of "l4dense-motta2019", which is immutable/);
    expect(await svc.quadCount()).toBe(before);
  });

  it('an update its author may not make is a 403 problem, even when it would change nothing', async () => {
    const before = await svc.quadCount();
    const v1 = `${BASE}/datasets/l4dense-motta2019/versions/1`;
    const curator = svc.ctx.tokens.create('carol', 'curator');
    const refused: Array<[string, string, RegExp]> = [
      // another user's draft: bob cannot even read it, so these matched nothing and answered 200 {"changedGraphs":[]}
      [`DELETE WHERE { GRAPH <${DRAFT}> { ?s ?p ?o } }`, bob, /managed by the service|only the owner/],
      [`CLEAR GRAPH <${DRAFT}>`, bob, /managed by the service|only the owner/],
      [`COPY <http://ex.org/nothing> TO <${DRAFT}>`, bob, /managed by the service|only the owner/],
      // a published version, with a triple that is not there
      [`DELETE DATA { GRAPH <${v1}> { <http://ex.org/none> <http://ex.org/p> "x" } }`, curator, /published version 1 of "l4dense-motta2019", which is immutable/],
      [`DELETE DATA { GRAPH <${v1}> { <http://ex.org/none> <http://ex.org/p> "x" } }`, alice, /only the owner of dataset "l4dense-motta2019"/],
      // the default graph, every graph, any graph for a user who may write none
      ['CLEAR DEFAULT', bob, /the update writes the default graph: only admins may/],
      ['DROP ALL', alice, /CLEAR \/ DROP of NAMED or ALL graphs/],
      ['DELETE WHERE { GRAPH ?g { ?s ?p ?o } }', bob, /you may change no graph/],
      [`DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } } ; CLEAR GRAPH <${v1}>`, alice, /only the owner of dataset "l4dense-motta2019"/],
    ];
    for (const [u, token, why] of refused) {
      const r = await update(u, token);
      expect(r.status, u).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const p = await r.json();
      expect(p.title).toBe('Forbidden');
      expect(p.detail, u).toMatch(why);
    }
    expect(await svc.quadCount()).toBe(before);
    // a GRAPH ?g update by someone who may write a draft runs; it changed nothing here
    const ok = await update('DELETE WHERE { GRAPH ?g { <http://ex.org/never-there> ?p ?o } }', alice);
    expect(ok.status).toBe(200);
    expect((await ok.json()).changedGraphs).toEqual([]);
  });

  it('the owner edits her draft: validated, stored, with a provenance record', async () => {
    const u = `INSERT DATA { GRAPH <${DRAFT}> { <${DRAFT}> <http://www.w3.org/ns/dcat#keyword> "edited by SPARQL" } }`;
    const r = await update(u, alice);
    expect(r.status, await r.clone().text()).toBe(200);
    const body = await r.json();
    expect(body.changedGraphs).toEqual([DRAFT]);
    expect(await ask(`ASK { GRAPH <${DRAFT}> { <${DRAFT}> <http://www.w3.org/ns/dcat#keyword> "edited by SPARQL" } }`)).toBe(true);
    const sha = createHash('sha256').update(u).digest('hex');
    const rows = await select(`PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX spdx: <http://spdx.org/rdf/terms#>
      SELECT ?who ?sha WHERE { GRAPH <${PROV}> { <${body.activity}> a <https://w3id.org/syndb/ontology#SparqlUpdate> ; prov:generated <${DRAFT}> ;
        prov:wasAssociatedWith ?who ; prov:used ?in . ?in spdx:checksum/spdx:checksumValue ?sha } }`);
    expect(rows).toHaveLength(1);
    expect(rows[0].who.value).toBe(`${BASE}/users/alice`);
    expect(rows[0].sha.value).toBe(sha);
  });

  it('an update that would make a graph invalid is rejected whole, with the report', async () => {
    const before = await svc.quadCount();
    const beforeDraft = await svc.ctx.store.dumpGraph(DRAFT);
    // first part valid (a keyword), second breaks the shape (no title), third writes another graph
    const u = `INSERT DATA { GRAPH <${DRAFT}> { <${DRAFT}> <http://www.w3.org/ns/dcat#keyword> "should not stay" } } ;
      DELETE WHERE { GRAPH <${DRAFT}> { <${DRAFT}> <http://purl.org/dc/terms/title> ?t } }`;
    const r = await update(u, alice);
    expect(r.status).toBe(422);
    const p = await r.json();
    expect(p.detail).toMatch(/nothing was stored/);
    expect(p.errors.some((e: { message: string; focusNode: string }) => /title/i.test(`${e.message}`) && e.focusNode === DRAFT)).toBe(true);
    expect(await svc.ctx.store.dumpGraph(DRAFT)).toBe(beforeDraft);
    expect(await svc.quadCount()).toBe(before);
    // the report as Turtle, by content negotiation
    const t = await svc.fetch('/sparql', { method: 'POST', token: alice, headers: { 'content-type': 'application/sparql-update', accept: 'text/turtle' }, body: u });
    expect(t.status).toBe(422);
    expect(await t.text()).toMatch(/sh:ValidationReport/);
  });

  it('access rights of a draft change only through PUT /datasets', async () => {
    const r = await update(`DELETE { GRAPH <${DRAFT}> { <${DRAFT}> <http://purl.org/dc/terms/accessRights> ?a } }
      INSERT { GRAPH <${DRAFT}> { <${DRAFT}> <http://purl.org/dc/terms/accessRights> <http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC> } }
      WHERE { GRAPH <${DRAFT}> { <${DRAFT}> <http://purl.org/dc/terms/accessRights> ?a } }`, alice);
    expect(r.status).toBe(422);
    expect(JSON.stringify(await r.json())).toMatch(/change only with PUT \/datasets\/upd-spines/);
  });

  it('blank nodes become skolem IRIs of the graph they are written to; CLEAR/DROP ALL spare dataset graphs', async () => {
    const r = await update('INSERT DATA { GRAPH <http://ex.org/bn> { <http://ex.org/s> <http://ex.org/p> [ <http://ex.org/q> "x" ] } }', ADMIN_TOKEN);
    expect(r.status).toBe(200);
    const nq = await svc.ctx.store.dumpGraph('http://ex.org/bn');
    expect(nq).toMatch(/<http:\/\/ex\.org\/bn\/\.well-known\/genid\/[0-9a-f-]{36}> <http:\/\/ex\.org\/q> "x"/);
    const datasetsBefore = await select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }');
    const drop = await update('DROP ALL', ADMIN_TOKEN);
    expect(drop.status).toBe(200);
    expect(await svc.ctx.store.dumpGraph('http://ex.org/bn')).toBe('');
    expect((await select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'))[0].n.value).not.toBe('0');
    expect(Number((await select('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }'))[0].n.value)).toBeLessThanOrEqual(Number(datasetsBefore[0].n.value));
    expect(await ask(`ASK { GRAPH <${DRAFT}> { ?s ?p ?o } }`)).toBe(true);
  });

  it('a syntax error is a 400 with its position', async () => {
    const r = await update('INSERT DATA {\n  GRAPH <http://ex.org/g> { <http://ex.org/s> <http://ex.org/p> }\n}', ADMIN_TOKEN);
    expect(r.status).toBe(400);
    const p = await r.json();
    expect(p.title).toBe('Malformed Update');
    expect(p.line).toBe(2);
    expect(p.column).toBeGreaterThan(1);
  });
});

describe('robustness', () => {
  it('concurrent readers see either the old or the new state of a two-graph write, never a mix', async () => {
    const g1 = 'http://ex.org/atomic/1', g2 = 'http://ex.org/atomic/2';
    const q = `SELECT (COUNT(?a) AS ?n1) (COUNT(?b) AS ?n2) WHERE { { GRAPH <${g1}> { ?a ?p ?o } } UNION { GRAPH <${g2}> { ?b ?q ?r } } }`;
    let stop = false;
    const seen: string[] = [];
    const reader = (async () => {
      while (!stop) {
        const [row] = await select(q);
        seen.push(`${row.n1.value}/${row.n2.value}`);
      }
    })();
    for (let i = 1; i <= 8; i++) {
      const triples = Array.from({ length: 50 }, (_, k) => `<http://ex.org/s${i}-${k}> <http://ex.org/p> ${k} .`).join(' ');
      const r = await update(`INSERT DATA { GRAPH <${g1}> { ${triples} } GRAPH <${g2}> { ${triples} } }`, ADMIN_TOKEN);
      expect(r.status).toBe(200);
    }
    stop = true;
    await reader;
    expect(seen.length).toBeGreaterThan(3);
    for (const s of seen) { const [a, b] = s.split('/'); expect(a).toBe(b); }
  }, 30_000);

  it('a slow update is stopped after its timeout, changes nothing, and does not block other requests', async () => {
    const triples = Array.from({ length: 400 }, (_, k) => `<http://ex.org/slow/s${k}> <http://ex.org/p> ${k} .`).join(' ');
    expect((await update(`INSERT DATA { GRAPH <http://ex.org/slow> { ${triples} } }`, ADMIN_TOKEN)).status).toBe(200);
    const before = await svc.quadCount();
    const pending = update('INSERT { GRAPH <http://ex.org/slow-out> { ?a <http://ex.org/q> ?c } } WHERE { GRAPH <http://ex.org/slow> { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }', ADMIN_TOKEN, '?timeout=1000');
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    expect((await svc.fetch(`/sparql?query=${encodeURIComponent('ASK { ?s ?p ?o }')}`)).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(1000);
    const res = await pending;
    expect(res.status).toBe(503);
    expect((await res.json()).title).toBe('Update Timeout');
    expect(await svc.quadCount()).toBe(before);
  }, 30_000);

  it('a slow query ends with a clear timeout error and does not stall other requests', async () => {
    const slow = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }';
    const t0 = Date.now();
    const pending = svc.fetch(`/sparql?timeout=1500&query=${encodeURIComponent(slow)}`, { headers: { accept: 'application/sparql-results+json' } });
    await new Promise((r) => setTimeout(r, 100));
    const fastTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      // another client: one client's queries wait behind its own (fair share, SYNDB_CLIENT_QUERIES)
      const r = await svc.fetch(`/sparql?query=${encodeURIComponent('ASK { ?s ?p ?o }')}`, { token: ADMIN_TOKEN });
      expect(r.status).toBe(200);
      fastTimes.push(Date.now() - t);
    }
    const res = await pending;
    expect(res.status).toBe(422);
    const p = await res.json();
    expect(p.title).toBe('Query Timeout');
    expect(p.detail).toMatch(/longer than 1500 ms/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(Math.max(...fastTimes)).toBeLessThan(1000);
  }, 30_000);
});
