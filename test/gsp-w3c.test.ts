/**
 * The W3C SPARQL 1.1 Graph Store HTTP Protocol tests against our /store, from two sources:
 *
 * 1. The current upstream manifests (test/fixtures/w3c-gsp/: manifest.ttl including
 *    manifest-direct.ttl and manifest-indirect.ttl, 13 tests, copied unchanged from w3c/rdf-tests).
 *    Each test is a sequence of ht:Requests sent exactly as the manifest gives them (method, path,
 *    headers with their parameters, e.g. `Accept: text/turtle; charset=utf-8`, body), with only the
 *    endpoint prefix `/gsp` replaced by our `/store` and $LOCATION$ by the Location of the response
 *    that declares it (mf:expectedLocation). Each response must have one of the mf:expectedStatus
 *    codes, its ht:headers (Content-Type compared as media type and charset), and a body isomorphic
 *    to the ht:body. The upstream tests are independent of each other; ours share one store, so
 *    before each test the graphs its requests name are deleted (a 404 for an absent one is fine).
 *
 * 2. The deprecated http-rdf-update manifest (../shared/conformance/graph-store-protocol/
 *    manifest.ttl, 18 entries run in order; the suite is a sequence). Each test's exchange is read
 *    from the manifest (its rdfs:comment holds the HTTP request and the expected response: status,
 *    headers, body). $GRAPHSTORE$ is our /store, $HOST$ the host of the base IRI (a graph named
 *    directly by /store/x has the IRI B/store/x), $NEWPATH$ the Location of the "create new graph"
 *    POST. The table TESTS, keyed by the manifest IRIs, lists how each test runs, including every
 *    adjustment with its reason; a manifest test without an entry fails the suite.
 *
 * Expected bodies are compared as graphs (isomorphism by RDFC-1.0; our skolem IRIs
 * …/.well-known/genid/… count as blank nodes, RDF 1.1 §3.5). Writes carry the admin token (graphs
 * outside the dataset IRI space are written by admins), reads too (such graphs are private by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import N3 from 'n3';
import canonize from 'rdf-canonize';
import { startTestService, ADMIN_TOKEN, BASE, type TestService } from './helpers/service.js';
import { sharedPath } from './helpers/shared.js';

const FILE = sharedPath('conformance/graph-store-protocol/manifest.ttl');
const G = 'http://www.w3.org/2009/sparql/docs/tests/data-sparql11/http-rdf-update/manifest#';
const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';

interface Entry {
  /** Requests to send first (state the test presupposes but the manifest does not create). */
  setup?: { method: string; path: string; body: string; reason: string }[];
  /** A correction of the manifest's request body, with the reason. */
  fixBody?: { fix: (b: string) => string; reason: string };
  /** Instead of the manifest's expected body, this one (with the reason). */
  expectBody?: { body: string; reason: string };
  skip?: string;
}

const FOAF = '@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n@prefix v: <http://www.w3.org/2006/vcard/ns#> .\n';
const TESTS: Record<string, Entry> = {
  [`${G}put__initial_state`]: {},
  [`${G}get_of_put__initial_state`]: {},
  [`${G}put__graph_already_in_store`]: {},
  [`${G}get_of_put__graph_already_in_store`]: {},
  [`${G}put__default_graph`]: {},
  [`${G}get_of_put__default_graph`]: {},
  [`${G}delete__existing_graph`]: {
    setup: [{ method: 'PUT', path: '/store/person/2.ttl', body: '<http://example.org/person/2> a <http://xmlns.com/foaf/0.1/Person> .', reason: 'the manifest deletes person/2.ttl as an "existing graph" but no earlier test creates it' }],
  },
  [`${G}get_of_delete__existing_graph`]: {},
  [`${G}delete__nonexistent_graph`]: {},
  [`${G}post__existing_graph`]: {
    fixBody: { fix: (b) => `${b.trimEnd()} .`, reason: 'the request body lacks the final "." and is not valid Turtle' },
  },
  [`${G}get_of_post__existing_graph`]: {
    expectBody: {
      body: `${FOAF}<http://$HOST$/$GRAPHSTORE$/person/1> a foaf:Person; foaf:name "Jane Doe"; foaf:businessCard [ a v:VCard; v:fn "Jane Doe" ] .`,
      reason: 'the manifest expects the "John Doe" card, contradicting its own earlier PUT of "Jane Doe" (and the multipart test that follows); we expect what the request sequence produces',
    },
  },
  [`${G}post__multipart_formdata`]: {
    fixBody: { fix: (b) => b.replace(/^(<[^\n]*[^.\s])$/gm, '$1 .'), reason: 'the Turtle of both parts lacks the final "." and is not valid Turtle' },
  },
  [`${G}get_of_post__multipart_formdata`]: {},
  [`${G}post__create__new_graph`]: {},
  [`${G}get_of_post__create__new_graph`]: {},
  [`${G}get_of_post__after_noop`]: {},
  [`${G}head_on_an_existing_graph`]: {},
  [`${G}head_on_a_nonexisting_graph`]: {},
};

interface Exchange { method: string; path: string; headers: [string, string][]; body: string; status: number; respHeaders: [string, string][]; respBody: string }

function section(text: string, from: string, to?: string): string[] {
  const a = text.indexOf(from);
  const b = to ? text.indexOf(to, a) : text.length;
  const lines = text.slice(a + from.length, b).split('\n').map((l) => l.replace(/^ {4}/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function message(lines: string[]): { first: string; headers: [string, string][]; body: string } {
  const blank = lines.indexOf('');
  const head = blank < 0 ? lines : lines.slice(0, blank);
  const body = blank < 0 ? '' : lines.slice(blank + 1).join('\n');
  return { first: head[0], headers: head.slice(1).map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()] as [string, string]), body };
}

function readTests(): { iri: string; name: string; ex: Exchange }[] {
  const store = new N3.Store(new N3.Parser({ baseIRI: `file://${FILE}` }).parse(readFileSync(FILE, 'utf8')));
  const m = store.getSubjects(`${RDF}type`, `${MF}Manifest`, null)[0];
  const entries: string[] = [];
  let n = store.getObjects(m, `${MF}entries`, null)[0];
  while (n.value !== `${RDF}nil`) { entries.push(store.getObjects(n, `${RDF}first`, null)[0].value); n = store.getObjects(n, `${RDF}rest`, null)[0]; }
  return entries.map((iri) => {
    const comment = store.getObjects(iri, `${RDFS}comment`, null).map((c) => c.value).find((c) => c.includes('#### Request'))!;
    const req = message(section(comment, '#### Request', '#### Response'));
    const resp = message(section(comment, '#### Response'));
    const [method, path] = req.first.split(/\s+/);
    return {
      iri, name: store.getObjects(iri, `${MF}name`, null)[0].value,
      ex: { method, path, headers: req.headers, body: req.body, status: Number(resp.first.split(/\s+/)[0]), respHeaders: resp.headers, respBody: resp.body },
    };
  });
}

let svc: TestService;
beforeAll(async () => { svc = await startTestService(); });
afterAll(async () => svc?.stop());

const HOST = new URL(BASE).host;
const subst = (s: string, vars: Record<string, string>) => s.replace(/\$(GRAPHSTORE|HOST|NEWPATH)\$/g, (_m, k: string) => vars[k] ?? `$${k}$`);

/** A Content-Type as its media type and charset (lower case), the parts a GSP test compares. */
function mediaType(ct: string | null | undefined): string {
  if (!ct) return '';
  const [type, ...params] = ct.split(';').map((x) => x.trim().toLowerCase());
  const cs = params.find((x) => x.startsWith('charset='))?.slice(8).replace(/"/g, '');
  return cs ? `${type}; charset=${cs}` : type;
}

/** Canonical N-Quads of a Turtle graph, our skolem IRIs read as blank nodes. */
async function canonical(turtle: string, base: string): Promise<string> {
  const quads = new N3.Parser({ format: 'text/turtle', baseIRI: base }).parse(turtle).map((q) => {
    const bn = (t: N3.Term) => (t.termType === 'NamedNode' && t.value.includes('/.well-known/genid/') ? N3.DataFactory.blankNode(t.value.replace(/\W/g, '_')) : t);
    return N3.DataFactory.quad(bn(q.subject) as N3.Quad_Subject, q.predicate, bn(q.object) as N3.Quad_Object);
  });
  return canonize.canonize(quads as never, { algorithm: 'RDFC-1.0' } as never);
}

describe('W3C SPARQL 1.1 Graph Store HTTP Protocol', () => {
  const tests = readTests();
  const vars: Record<string, string> = { GRAPHSTORE: 'store', HOST };
  it('the manifest has 18 tests and every one has an entry in TESTS', () => {
    expect(tests.length).toBe(18);
    expect(tests.map((t) => t.iri).filter((i) => !(i in TESTS))).toEqual([]);
    expect(Object.keys(TESTS).filter((i) => !tests.some((t) => t.iri === i))).toEqual([]);
  });
  for (const t of tests) {
    const entry = TESTS[t.iri] ?? { skip: 'no entry in TESTS' };
    const label = `${t.iri.replace(G, '')}: ${t.name}`;
    if (entry.skip) { it.skip(`${label} (${entry.skip})`, () => {}); continue; }
    it(label, async () => {
      for (const s of entry.setup ?? []) {
        const r = await svc.fetch(s.path, { method: s.method, token: ADMIN_TOKEN, headers: { 'content-type': 'text/turtle' }, body: s.body });
        expect(r.status, `setup ${s.method} ${s.path}`).toBeLessThan(300);
      }
      const ex = t.ex;
      const path = subst(ex.path.replace(/^\$GRAPHSTORE\$/, '/store'), vars).replace(/^\/store\/?\?/, '/store?');
      const headers = new Headers(ex.headers.filter(([k]) => k.toLowerCase() !== 'host'));
      let body: string | undefined = ex.body ? subst(ex.body, vars) : undefined;
      if (body && entry.fixBody) body = entry.fixBody.fix(body);
      if (body && /multipart\/form-data/.test(headers.get('content-type') ?? '')) body = `${body.replace(/\r?\n/g, '\r\n')}\r\n`;
      const res = await svc.fetch(path, { method: ex.method, token: ADMIN_TOKEN, headers, body });
      const text = ex.method === 'HEAD' ? '' : await res.text();
      expect(res.status, `${ex.method} ${path} → ${text.slice(0, 300)}`).toBe(ex.status);
      for (const [k, v] of ex.respHeaders) {
        if (k.toLowerCase() === 'content-type') expect(mediaType(res.headers.get('content-type'))).toBe(mediaType(v));
        if (k.toLowerCase() === 'content-length') expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
        if (k.toLowerCase() === 'location') {
          const loc = res.headers.get('location');
          expect(loc).toBeTruthy();
          // an absolute Location (ours is the graph IRI, B/store/…) becomes the request target on
          // our test server, whose authority is not the base IRI's
          vars.NEWPATH = loc!.startsWith(BASE) ? loc!.slice(BASE.length) : loc!;
        }
      }
      const expected = entry.expectBody?.body ?? ex.respBody;
      if (expected && ex.method !== 'HEAD') {
        const graphIri = `${BASE}${path.split('?')[0]}`;
        expect(await canonical(text, graphIri)).toBe(await canonical(subst(expected, vars), graphIri));
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The current upstream manifests (ht: vocabulary)
// ---------------------------------------------------------------------------------------------

const UPSTREAM = resolve(dirname(new URL(import.meta.url).pathname), 'fixtures', 'w3c-gsp', 'manifest.ttl');
const HT = 'http://www.w3.org/2011/http#';
const CNT = 'http://www.w3.org/2011/content#';
const HTS = 'http://www.w3.org/2011/http-statusCodes#';
const MF_EXPECTED_STATUS = `${MF}expectedStatus`;
/** The status codes of http-statusCodes names (a class like StatusCode2xx is a range). */
const STATUS: Record<string, (n: number) => boolean> = {
  OK: (n) => n === 200, Created: (n) => n === 201, NoContent: (n) => n === 204, NotFound: (n) => n === 404,
  StatusCode2xx: (n) => n >= 200 && n < 300,
};

interface HtRequest {
  method: string; path: string; headers: [string, string][]; body?: string;
  expect: { status: string[]; headers: [string, string][]; body?: string; location?: string };
}
interface UpstreamTest { iri: string; name: string; manifest: string; requests: HtRequest[] }

function readUpstream(file: string): UpstreamTest[] {
  const text = readFileSync(file, 'utf8');
  const base = `file://${file}`;
  const st = new N3.Store(new N3.Parser({ baseIRI: base }).parse(text));
  const one = (s: N3.Term, p: string) => st.getObjects(s as N3.Quad_Subject, p, null)[0];
  const list = (head: N3.Term | undefined): N3.Term[] => {
    const out: N3.Term[] = [];
    for (let n = head; n && n.value !== `${RDF}nil`; n = one(n, `${RDF}rest`)) out.push(one(n, `${RDF}first`));
    return out;
  };
  const headers = (s: N3.Term) => list(one(s, `${HT}headers`)).map((h) => [one(h, `${HT}fieldName`).value, one(h, `${HT}fieldValue`).value] as [string, string]);
  const body = (s: N3.Term) => { const b = one(s, `${HT}body`); return b ? one(b, `${CNT}chars`).value : undefined; };
  const m = st.getSubjects(`${RDF}type`, `${MF}Manifest`, null)[0];
  const included = list(one(m, `${MF}include`)).flatMap((inc) => readUpstream(new URL(inc.value).pathname));
  const tests = list(one(m, `${MF}entries`)).map((t) => ({
    iri: t.value, name: one(t, `${MF}name`).value, manifest: file.split('/').pop()!,
    requests: list(one(one(t, `${MF}action`), `${HT}requests`)).map((r) => {
      const resp = one(r, `${HT}resp`);
      return {
        method: one(r, `${HT}methodName`).value, path: one(r, `${HT}absolutePath`).value, headers: headers(r), body: body(r),
        expect: {
          status: st.getObjects(resp, MF_EXPECTED_STATUS, null).map((x) => x.value.replace(HTS, '')),
          headers: headers(resp), body: body(resp), location: one(resp, `${MF}expectedLocation`)?.value,
        },
      };
    }),
  }));
  return [...included, ...tests];
}

describe('W3C SPARQL 1.1 Graph Store HTTP Protocol, the current upstream manifests (direct and indirect identification)', () => {
  const tests = readUpstream(UPSTREAM);
  it('the manifests hold 13 tests (4 direct, 9 indirect), every expected status known', () => {
    expect(tests.filter((t) => t.manifest === 'manifest-direct.ttl')).toHaveLength(4);
    expect(tests.filter((t) => t.manifest === 'manifest-indirect.ttl')).toHaveLength(9);
    for (const r of tests.flatMap((t) => t.requests)) for (const s of r.expect.status) expect(STATUS[s], s).toBeDefined();
  });
  const ours = (path: string) => path.replace(/^\/gsp(?=[/?]|$)/, '/store');
  for (const t of tests) {
    it(`${t.manifest} ${t.iri.replace(/^.*#/, '')}: ${t.name}`, async () => {
      // the upstream tests are independent; here they share a store: the graphs this test names start absent
      for (const path of new Set(t.requests.map((r) => r.path).filter((p) => !p.includes('$') && p !== '/gsp'))) { // the bare endpoint names no graph
        const r = await svc.fetch(ours(path), { method: 'DELETE', token: ADMIN_TOKEN });
        expect([200, 204, 404], `cleanup DELETE ${ours(path)}`).toContain(r.status);
      }
      const vars: Record<string, string> = {};
      const fill = (s: string) => s.replace(/\$[A-Z]+\$/g, (v) => vars[v] ?? v);
      for (const [i, rq] of t.requests.entries()) {
        const path = ours(fill(rq.path));
        const what = `request ${i + 1}: ${rq.method} ${path}`;
        const res = await svc.fetch(path, { method: rq.method, token: ADMIN_TOKEN, headers: rq.headers, body: rq.body === undefined ? undefined : fill(rq.body) });
        const text = rq.method === 'HEAD' ? '' : await res.text();
        expect(rq.expect.status.some((s) => STATUS[s](res.status)), `${what} → ${res.status} (expected ${rq.expect.status.join(' or ')}) ${text.slice(0, 300)}`).toBe(true);
        for (const [k, v] of rq.expect.headers) {
          if (k.toLowerCase() === 'content-type') expect(mediaType(res.headers.get('content-type')), what).toBe(mediaType(v));
          else expect(res.headers.get(k), `${what}: ${k}`).toBe(v);
        }
        if (rq.expect.location) {
          const loc = res.headers.get('location');
          expect(loc, `${what}: Location`).toBeTruthy();
          vars[rq.expect.location] = loc!;
        }
        if (rq.expect.body !== undefined && rq.method !== 'HEAD') {
          const base = `${BASE}${path.split('?')[0]}`;
          expect(await canonical(text, base), what).toBe(await canonical(fill(rq.expect.body), base));
        }
      }
    });
  }
});
