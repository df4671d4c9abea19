/**
 * The W3C SPARQL 1.1 Protocol test suite (../shared/conformance/sparql-protocol/manifest.ttl, 34 tests)
 * and the Service Description tests (service-description-manifest.ttl, 3 tests), run against our server.
 *
 * Each test's HTTP exchange (path, method, headers, body and its character encoding, expected status
 * class / result format / boolean) is read from the manifest's ht: / mf: structure; the table TESTS,
 * keyed by the manifest's test IRIs, says how each one runs here. A manifest test without an entry
 * fails the suite, so the table is complete. The W3C tests load data1.nt… into named graphs: the setup
 * PUTs them with the admin token through /store (graphs outside our dataset IRI space are admin-written).
 * All requests carry the admin token (the suite writes and reads such graphs); access control is
 * tested adversarially in sparql-access.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import N3 from 'n3';
import jsonld from 'jsonld';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { JENA, sharedPath } from './helpers/shared.js';

const DIR = sharedPath('conformance/sparql-protocol');
const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
const HT = 'http://www.w3.org/2011/http#';
const CNT = 'http://www.w3.org/2011/content#';
const UT = 'http://www.w3.org/2009/sparql/tests/test-update#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const P = 'http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#';
const SDM = 'http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#';

type Entry = { run: true; note?: string } | { skip: string };
/** Every protocol test of the manifest, keyed by IRI. */
const TESTS: Record<string, Entry> = {
  [`${P}query_post_form`]: { run: true },
  [`${P}query_dataset_default_graphs_get`]: { run: true },
  [`${P}query_dataset_default_graphs_post`]: { run: true },
  [`${P}query_dataset_named_graphs_post`]: { run: true },
  [`${P}query_dataset_named_graphs_get`]: { run: true },
  [`${P}query_dataset_full`]: { run: true },
  [`${P}query_multiple_dataset`]: { run: true },
  [`${P}query_get`]: { run: true },
  [`${P}query_content_type_select`]: { run: true },
  [`${P}query_content_type_ask`]: { run: true },
  [`${P}query_content_type_describe`]: { run: true },
  [`${P}query_content_type_construct`]: { run: true },
  [`${P}update_dataset_default_graph`]: { run: true, note: 'CLEAR ALL ranges over the admin-writable free graphs, not the dataset graphs' },
  [`${P}update_dataset_default_graphs`]: { run: true },
  [`${P}update_dataset_named_graphs`]: { run: true },
  [`${P}update_dataset_full`]: { run: true },
  [`${P}update_post_form`]: { run: true },
  [`${P}update_post_direct`]: { run: true },
  [`${P}update_base_uri`]: { run: true },
  [`${P}query_post_direct`]: { run: true },
  [`${P}bad_query_method`]: { run: true },
  [`${P}bad_multiple_queries`]: { run: true },
  [`${P}bad_query_wrong_media_type`]: { run: true },
  [`${P}bad_query_missing_form_type`]: { run: true },
  [`${P}bad_query_missing_direct_type`]: { run: true },
  [`${P}bad_query_non_utf8`]: { run: true },
  [`${P}bad_query_syntax`]: { run: true },
  [`${P}bad_update_get`]: { run: true },
  [`${P}bad_multiple_updates`]: { run: true },
  [`${P}bad_update_wrong_media_type`]: { run: true },
  [`${P}bad_update_missing_form_type`]: { run: true },
  [`${P}bad_update_non_utf8`]: { run: true },
  [`${P}bad_update_syntax`]: { run: true },
  [`${P}bad_update_dataset_conflict`]: { run: true },
};

const SD_TESTS: Record<string, Entry> = {
  [`${SDM}has-endpoint-triple`]: { run: true },
  [`${SDM}returns-rdf`]: { run: true },
  [`${SDM}conforms-to-schema`]: { run: true },
};

interface Req { path: string; method: string; headers: [string, string][]; body?: string; encoding?: string; expect: { status: string[]; format?: string; boolean?: boolean } }
interface Test { iri: string; name: string; graphData: { file: string; graph: string }[]; requests: Req[] }

function list(store: N3.Store, head: N3.Term): N3.Term[] {
  const out: N3.Term[] = [];
  let n = head;
  while (n.value !== `${RDF}nil`) {
    out.push(store.getObjects(n, `${RDF}first`, null)[0]);
    n = store.getObjects(n, `${RDF}rest`, null)[0];
  }
  return out;
}

function loadManifest(file: string): { store: N3.Store; entries: string[] } {
  const store = new N3.Store(new N3.Parser({ baseIRI: `file://${file}` }).parse(readFileSync(file, 'utf8')));
  const m = store.getSubjects(`${RDF}type`, `${MF}Manifest`, null)[0];
  return { store, entries: list(store, store.getObjects(m, `${MF}entries`, null)[0]).map((t) => t.value) };
}

function readTests(): Test[] {
  const { store, entries } = loadManifest(join(DIR, 'manifest.ttl'));
  const one = (s: N3.Term, p: string) => store.getObjects(s, p, null)[0];
  return entries.map((iri) => {
    const t = N3.DataFactory.namedNode(iri);
    const graphData = store.getObjects(t, `${UT}graphData`, null).map((gd) => ({ file: one(gd, `${UT}graph`).value.replace(/^file:\/\//, ''), graph: one(gd, `${RDFS}label`).value }));
    const conn = one(t, `${MF}action`);
    const requests = list(store, one(conn, `${HT}requests`)).map((r): Req => {
      const body = one(r, `${HT}body`);
      const headersList = one(r, `${HT}headers`);
      const resp = one(r, `${HT}resp`);
      const b = resp && one(resp, `${MF}expectedBoolean`);
      return {
        path: one(r, `${HT}absolutePath`).value,
        method: one(r, `${HT}methodName`).value,
        headers: headersList ? list(store, headersList).map((h) => [one(h, `${HT}fieldName`).value, one(h, `${HT}fieldValue`).value]) : [],
        body: body ? one(body, `${CNT}chars`).value : undefined,
        encoding: body ? one(body, `${CNT}characterEncoding`)?.value : undefined,
        expect: {
          status: store.getObjects(resp, `${MF}expectedStatus`, null).map((s) => s.value.replace(/.*StatusCode/, '')),
          format: one(resp, `${MF}expectedFormat`)?.value,
          boolean: b ? b.value === 'true' : undefined,
        },
      };
    });
    return { iri, name: one(t, `${MF}name`).value, graphData, requests };
  });
}

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); });
afterAll(async () => svc?.stop());

const RDF_TYPES = ['text/turtle', 'application/n-triples', 'application/rdf+xml', 'application/ld+json', 'application/trig', 'application/n-quads'];
const TABULAR = ['application/sparql-results+json', 'application/sparql-results+xml', 'text/csv', 'text/tab-separated-values'];
const BOOLEAN = ['application/sparql-results+json', 'application/sparql-results+xml'];

async function send(r: Req): Promise<Response> {
  const path = r.path.replace(/^\/sparql\/?/, '/sparql');
  const headers = new Headers(r.headers);
  headers.set('authorization', `Bearer ${ADMIN_TOKEN}`);
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (r.body !== undefined) body = r.encoding === 'UTF-16' ? new Uint8Array(Buffer.from(`\ufeff${r.body}`, 'utf16le')) : new Uint8Array(Buffer.from(r.body, 'utf8'));
  // a Uint8Array body makes fetch send no Content-Type of its own (the "missing type" tests need that)
  return fetch(svc.url + path, { method: r.method, headers, body });
}

describe('W3C SPARQL 1.1 Protocol', () => {
  const tests = readTests();
  it('the manifest has 34 tests and every one has an entry in TESTS', () => {
    expect(tests.length).toBe(34);
    expect(tests.map((t) => t.iri).filter((i) => !(i in TESTS))).toEqual([]);
    expect(Object.keys(TESTS).filter((i) => !tests.some((t) => t.iri === i))).toEqual([]);
  });
  for (const t of tests) {
    const entry = TESTS[t.iri];
    const name = `${t.iri.replace(P, '')}: ${t.name}`;
    if (!entry || 'skip' in entry) { it.skip(`${name} (${entry ? entry.skip : 'no entry'})`, () => {}); continue; }
    it(name, async () => {
      for (const gd of t.graphData) {
        const res = await svc.fetch(`/store?graph=${encodeURIComponent(gd.graph)}`, { method: 'PUT', token: ADMIN_TOKEN, headers: { 'content-type': 'application/n-triples' }, body: readFileSync(gd.file, 'utf8') });
        expect([200, 201, 204], `loading ${gd.file}`).toContain(res.status);
      }
      for (const r of t.requests) {
        const res = await send(r);
        const text = await res.text();
        const cls = `${String(res.status)[0]}xx`;
        expect(r.expect.status, `${r.method} ${r.path} → ${res.status} ${text.slice(0, 300)}`).toContain(cls);
        const ct = (res.headers.get('content-type') ?? '').split(';')[0];
        if (r.expect.format === 'boolean') expect(BOOLEAN).toContain(ct);
        if (r.expect.format === 'tabular') expect(TABULAR).toContain(ct);
        if (r.expect.format === 'RDF') expect(RDF_TYPES).toContain(ct);
        if (r.expect.boolean !== undefined) {
          const v = ct === 'application/sparql-results+json' ? JSON.parse(text).boolean : /<boolean>\s*(true|false)\s*<\/boolean>/.exec(text)?.[1] === 'true';
          expect(v, `${r.method} ${r.path}: ${text}`).toBe(r.expect.boolean);
        }
      }
    });
  }
});

describe('W3C SPARQL 1.1 Service Description', () => {
  const { entries } = loadManifest(join(DIR, 'service-description-manifest.ttl'));
  const SD = 'http://www.w3.org/ns/sparql-service-description#';
  const fetchSd = async (accept: string) => {
    const res = await fetch(`${svc.url}/sparql`, { headers: { accept } });
    return { res, text: await res.text() };
  };
  it('every manifest test has an entry', () => {
    expect(entries.length).toBe(3);
    expect(entries.filter((e) => !(e in SD_TESTS))).toEqual([]);
  });
  const checks: Record<string, () => Promise<void>> = {
    [`${SDM}returns-rdf`]: async () => {
      for (const accept of ['text/turtle', 'application/rdf+xml', 'application/ld+json', '*/*']) {
        const { res, text } = await fetchSd(accept);
        expect(res.status).toBe(200);
        expect(RDF_TYPES).toContain((res.headers.get('content-type') ?? '').split(';')[0]);
        expect(text.length).toBeGreaterThan(100);
      }
    },
    [`${SDM}has-endpoint-triple`]: async () => {
      const { text } = await fetchSd('text/turtle');
      const q = new N3.Store(new N3.Parser({ format: 'text/turtle' }).parse(text));
      expect(q.getQuads(null, `${SD}endpoint`, `${svc.url}/sparql`, null).length).toBe(1);
      expect(q.getQuads(null, `${RDF}type`, `${SD}Service`, null).length).toBe(1);
    },
    [`${SDM}conforms-to-schema`]: async () => {
      const { text } = await fetchSd('text/turtle');
      const q = new N3.Store(new N3.Parser({ format: 'text/turtle' }).parse(text));
      const svcNode = q.getSubjects(`${RDF}type`, `${SD}Service`, null)[0];
      const langs = q.getObjects(svcNode, `${SD}supportedLanguage`, null).map((t) => t.value);
      expect(langs.sort()).toEqual([`${SD}SPARQL11Query`, `${SD}SPARQL11Update`]);
      for (const f of q.getObjects(svcNode, `${SD}resultFormat`, null)) expect(f.termType).toBe('NamedNode');
      const ds = q.getObjects(svcNode, `${SD}defaultDataset`, null)[0];
      expect(q.getQuads(ds, `${RDF}type`, `${SD}Dataset`, null).length).toBe(1);
      expect(q.getObjects(ds, `${SD}defaultGraph`, null).length).toBe(1);
      for (const ng of q.getObjects(ds, `${SD}namedGraph`, null)) {
        expect(q.getObjects(ng, `${SD}name`, null)[0].termType).toBe('NamedNode');
        expect(q.getQuads(ng, `${RDF}type`, `${SD}NamedGraph`, null).length).toBe(1);
      }
      // Apache Jena, as an independent parser, reads the Turtle and RDF/XML forms
      const dir = mkdtempSync(join(tmpdir(), 'sd-'));
      writeFileSync(join(dir, 'sd.ttl'), text);
      writeFileSync(join(dir, 'sd.rdf'), (await fetchSd('application/rdf+xml')).text);
      execFileSync(JENA, ['riot', '--validate', join(dir, 'sd.ttl'), join(dir, 'sd.rdf')], { stdio: 'pipe' });
      // (Debian's Jena 4.5 cannot load any JSON-LD file; the JSON-LD form is checked by expanding it to the same triples)
      const nq = await jsonld.toRDF(JSON.parse((await fetchSd('application/ld+json')).text), { format: 'application/n-quads' }) as unknown as string;
      expect(nq.split('\n').filter(Boolean).length).toBe(q.size);
      // no private graph is described
      expect(text).not.toMatch(/\/draft\b/);
    },
  };
  for (const e of entries) {
    const entry = SD_TESTS[e];
    if (!entry || 'skip' in entry) { it.skip(`${e} (${entry ? entry.skip : 'no entry'})`, () => {}); continue; }
    it(e.replace(SDM, ''), async () => { await checks[e](); }, 60_000);
  }
});
