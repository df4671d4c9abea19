/**
 * Independent clients, unchanged: Python SPARQLWrapper and rdflib (Debian packages) query and update
 * the endpoint, parse our results and read graphs from /store; Apache Jena's rsparql queries it.
 * Nothing here is our code on the client side, so a protocol or format mistake on our side fails
 * in their parsers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ensureDebianPackages } from './helpers/debian.js';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { JENA } from './helpers/shared.js';

let svc: TestService;
beforeAll(async () => {
  ensureDebianPackages(['python3-sparqlwrapper', 'python3-rdflib']);
  svc = await startTestService();
}, 300_000);
afterAll(async () => svc?.stop());

/** Run a client asynchronously: the server under test lives in this process and must keep answering. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string; status: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, timeout: 60_000 });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (status) => resolve({ out, err, status }));
  });
}

const python = (script: string, env: Record<string, string>) => run('/usr/bin/python3', ['-c', script], env);

const SCRIPT = String.raw`
import os, json
from SPARQLWrapper import SPARQLWrapper, JSON, XML, CSV, TURTLE, POST, POSTDIRECTLY, URLENCODED
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore

ep = os.environ['EP']
token = os.environ['TOKEN']
out = {}

s = SPARQLWrapper(ep)
s.setQuery('PREFIX syndb: <https://w3id.org/syndb/ontology#> SELECT ?d WHERE { ?d a syndb:DatasetVersion } ORDER BY ?d')
s.setReturnFormat(JSON)
out['select_json'] = [b['d']['value'] for b in s.query().convert()['results']['bindings']]

s.setReturnFormat(XML)
out['select_xml_rows'] = len(s.query().convert().getElementsByTagName('result'))

s.setReturnFormat(CSV)
out['select_csv_lines'] = len(s.query().convert().decode('utf-8').strip().splitlines())

s.setMethod(POST)
s.setReturnFormat(JSON)
s.setQuery('ASK { ?s a <https://w3id.org/syndb/ontology#DatasetVersion> }')
out['ask_post'] = s.query().convert()['boolean']

c = SPARQLWrapper(ep)
c.setQuery('PREFIX dcterms: <http://purl.org/dc/terms/> CONSTRUCT { ?d dcterms:title ?t } WHERE { ?d a <https://w3id.org/syndb/ontology#DatasetVersion> ; dcterms:title ?t }')
c.setReturnFormat(TURTLE)
g = rdflib.Graph()
g.parse(data=c.query().convert(), format='turtle')
out['construct_triples'] = len(g)

u = SPARQLWrapper(ep)
u.addCustomHttpHeader('Authorization', 'Bearer ' + token)
u.setMethod(POST)
u.setRequestMethod(POSTDIRECTLY)
u.setQuery('INSERT DATA { GRAPH <http://clients.example/g> { <http://clients.example/s> <http://clients.example/p> "from SPARQLWrapper" } }')
out['update_direct'] = u.query().response.status

u2 = SPARQLWrapper(ep)
u2.addCustomHttpHeader('Authorization', 'Bearer ' + token)
u2.setMethod(POST)
u2.setRequestMethod(URLENCODED)
u2.setQuery('INSERT DATA { GRAPH <http://clients.example/g> { <http://clients.example/s> <http://clients.example/p> "from a form" } }')
out['update_form'] = u2.query().response.status

store = SPARQLStore(ep, headers={'Authorization': 'Bearer ' + token})
rg = rdflib.Graph(store=store)
out['rdflib_sparqlstore'] = sorted(str(r[0]) for r in rg.query('SELECT ?o WHERE { GRAPH <http://clients.example/g> { ?s ?p ?o } }'))

import urllib.request
req = urllib.request.Request(os.environ['STORE'] + '?graph=http%3A%2F%2Fclients.example%2Fg', headers={'Authorization': 'Bearer ' + token, 'Accept': 'application/rdf+xml'})
g2 = rdflib.Graph()
g2.parse(data=urllib.request.urlopen(req).read(), format='xml')
out['gsp_rdfxml_triples'] = len(g2)

req = urllib.request.Request(ep, headers={'Accept': 'text/turtle'})
sd = rdflib.Graph()
sd.parse(data=urllib.request.urlopen(req).read(), format='turtle')
out['sd_endpoints'] = [str(o) for o in sd.objects(None, rdflib.URIRef('http://www.w3.org/ns/sparql-service-description#endpoint'))]
print(json.dumps(out))
`;

describe('independent SPARQL clients', () => {
  it('SPARQLWrapper and rdflib query, update and read graphs unchanged', async () => {
    const r = await python(SCRIPT, { EP: `${svc.url}/sparql`, STORE: `${svc.url}/store`, TOKEN: ADMIN_TOKEN });
    expect(r.status, r.err).toBe(0);
    const out = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(out.select_json.length).toBeGreaterThan(2);
    expect(out.select_xml_rows).toBe(out.select_json.length);
    expect(out.select_csv_lines).toBe(out.select_json.length + 1);
    expect(out.ask_post).toBe(true);
    expect(out.construct_triples).toBeGreaterThanOrEqual(out.select_json.length);
    expect(out.update_direct).toBe(200);
    expect(out.update_form).toBe(200);
    expect(out.rdflib_sparqlstore).toEqual(['from SPARQLWrapper', 'from a form']);
    expect(out.gsp_rdfxml_triples).toBe(2);
    expect(out.sd_endpoints).toEqual([`${svc.url}/sparql`]);
  }, 120_000);

  it('Apache Jena rsparql: GET with the query in the URL (its "?" variables unescaped), JSON and XML results', async () => {
    // rsparql sends GET /sparql?query=SELECT%20?d… : a "?" inside the query string is an ordinary character
    const query = 'PREFIX syndb: <https://w3id.org/syndb/ontology#> SELECT ?d WHERE { ?d a syndb:DatasetVersion } ORDER BY ?d';
    const json = await run(JENA, ['arq.rsparql', '--service', `${svc.url}/sparql`, '--results', 'json', query]);
    expect(json.status, json.err).toBe(0);
    const rows = (JSON.parse(json.out) as { results: { bindings: { d: { value: string } }[] } }).results.bindings.map((b) => b.d.value);
    const mine = await (await svc.fetch(`/sparql?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/sparql-results+json' } })).json() as { results: { bindings: { d: { value: string } }[] } };
    expect(rows.length).toBeGreaterThan(2);
    expect(rows).toEqual(mine.results.bindings.map((b) => b.d.value));
    const xml = await run(JENA, ['arq.rsparql', '--service', `${svc.url}/sparql`, '--results', 'xml', `ASK { ?s a <https://w3id.org/syndb/ontology#DatasetVersion> }`]);
    expect(xml.status, xml.err).toBe(0);
    expect(xml.out).toMatch(/<boolean>true<\/boolean>/);
  }, 120_000);
});
