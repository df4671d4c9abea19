/**
 * Reading a remote server's SELECT results (store/remote/results.ts) against a real Virtuoso 7:
 * literals with every awkward character, big integers, booleans, doubles and language tags come
 * back from its XML and from its JSON results as the embedded store answers them. Virtuoso's
 * XML carries raw carriage returns and references to control characters (`&#1;`) that an XML 1.0
 * parser would change or refuse (and U+FFFE, U+FFFF, which XML cannot hold at all); its JSON
 * has "typed-literal" terms and booleans as 1/0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRemoteStore, type RemoteStore } from '../src/store/remote/remote-store.js';
import { RemoteHttp } from '../src/store/remote/http.js';
import { parseResults } from '../src/store/remote/results.js';
import { openStore } from '../src/store/open-store.js';
import type { GraphStore } from '../src/store/graph-store.js';
import { ntLiteral } from '../src/util/nt-term.js';
import { startVirtuoso, type Virtuoso } from './helpers/virtuoso.js';

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const G = 'https://example.org/results';
const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
const objects: Record<string, string> = {
  controls: ntLiteral(`a${controls}\u007F\u0085\u0099\u2028\u2029b`),
  crlf: ntLiteral('line\r\nnext\rlast\n'),
  markup: ntLiteral(`<x a="1"> & 'y' &amp; ]]> \\ "q"`),
  astral: ntLiteral('😀 𝔸 é 中'),
  spaces: ntLiteral('  padded  '),
  blank: ntLiteral('   '),
  empty: ntLiteral(''),
  lang: ntLiteral('colour', 'en-GB'),
  int: ntLiteral('9007199254740993', undefined, `${XSD}integer`),
  negint: ntLiteral('-9007199254740993', undefined, `${XSD}integer`),
  yes: ntLiteral('true', undefined, `${XSD}boolean`),
  no: ntLiteral('false', undefined, `${XSD}boolean`),
  double: ntLiteral('1.5E300', undefined, `${XSD}double`),
  round: ntLiteral('15442.0', undefined, `${XSD}double`),
  date: ntLiteral('2021-06-11T08:10:00.215114Z', undefined, `${XSD}dateTime`),
  typed: ntLiteral('x', undefined, 'http://example.org/dt?a=1&b=2#t'),
  nonchar: ntLiteral('\uFFFE\uFFFF \uE000'),
  iri: "<https://example.org/o/é?x=1&y='2'#f>",
};
const nquads = Object.entries(objects).map(([p, o]) => `<https://example.org/s> <https://example.org/p/${p}> ${o} <${G}> .\n`).join('');
const QUERY = `SELECT ?p ?o WHERE { GRAPH <${G}> { ?s ?p ?o } } ORDER BY ?p`;

let v: Virtuoso;
let remote: RemoteStore;
let embedded: GraphStore;
const tmp = mkdtempSync(join(tmpdir(), 'syndb-remote-results-'));

beforeAll(async () => {
  v = await startVirtuoso();
  remote = await openRemoteStore({ queryUrl: v.url, user: v.user, password: v.password, logger: { warn: () => {} }, lease: false });
  embedded = await openStore({ dataDir: tmp });
  for (const s of [remote, embedded]) await s.transact([{ op: 'add', nquads }]);
});
afterAll(async () => {
  await remote?.close();
  await embedded?.close();
  await v?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('remote results', () => {
  it('select() answers every term as the embedded store does', async () => {
    const want = await embedded.select(QUERY, { namedGraphs: [G] });
    expect(want).toHaveLength(Object.keys(objects).length);
    expect(await remote.select(QUERY, { namedGraphs: [G] })).toEqual(want);
  });

  it("Virtuoso's XML and JSON results read to the same rows, the embedded store's", async () => {
    const http = new RemoteHttp({ user: v.user, password: v.password });
    const raw = async (accept: string) => (await http.send('POST', v.url, {
      what: 'test query', headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: new URLSearchParams({ query: QUERY }).toString(),
    })).body;
    const xml = await raw('application/sparql-results+xml');
    const json = await raw('application/sparql-results+json');
    // the quirks are there to be read
    expect(xml).toContain('&#1;');
    expect(xml).toContain('\r');
    expect(json).toContain('"typed-literal"');
    expect(json).toMatch(/"value": "1"/);
    const want = await embedded.select(QUERY, { namedGraphs: [G] });
    // doubles are left out: Virtuoso writes them with 6 digits (select() asks again through STR())
    const noDoubles = (rows: Array<Record<string, { datatype?: string }>>) => rows.filter((r) => r.o.datatype !== `${XSD}double`);
    const fromXml = await parseResults(xml, 'bindings');
    const fromJson = await parseResults(json, 'bindings');
    expect(fromJson).toEqual(fromXml);
    expect('bindings' in fromXml && noDoubles(fromXml.bindings)).toEqual(noDoubles(want));
  });

  it("Virtuoso's ASK answers read as booleans, in XML and in JSON", async () => {
    const http = new RemoteHttp({ user: v.user, password: v.password });
    for (const [query, answer] of [[`ASK { GRAPH <${G}> { ?s ?p ?o } }`, true], [`ASK { GRAPH <${G}> { ?s <https://example.org/none> ?o } }`, false]] as const) {
      for (const accept of ['application/sparql-results+xml', 'application/sparql-results+json']) {
        const { body } = await http.send('POST', v.url, { what: 'test query', headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body: new URLSearchParams({ query }).toString() });
        expect(await parseResults(body, 'boolean'), `${query} as ${accept}`).toEqual({ boolean: answer });
      }
    }
  });

  it('an answer that is not SPARQL results is refused as the server being unavailable', async () => {
    for (const text of ['<html><body>Service Unavailable</body></html>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><results><result></binding></results></sparql>', '{"head": {', 'Virtuoso 37000 Error SP030'])
      await expect(parseResults(text, 'bindings'), text).rejects.toMatchObject({ code: 'unavailable' });
    await expect(parseResults('<html/>', 'boolean')).rejects.toMatchObject({ code: 'unavailable' });
  });
});
