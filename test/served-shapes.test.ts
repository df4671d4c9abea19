/**
 * Everything we serve conforms to our own shapes: every RDF representation of every example
 * dataset (concept page and each published version, in Turtle, N-Triples, JSON-LD and RDF/XML,
 * in each profile: full graph, schema.org, DCAT), its history and the provenance activities it
 * names, the stored version graphs through the Graph Store (its four RDF formats; TriG is served nowhere), and the catalog, each
 * parsed by Apache Jena (JSON-LD by rdflib: Debian's Jena 4.5 cannot read it) and validated by Jena against shapes/*.ttl, with the ontology and the
 * vocabularies (ontologies/*.ttl) in the data graph (they type the terms the shapes ask a class
 * of, as the service's own validator adds them). Zero results of any severity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestService, type TestService } from './helpers/service.js';
import { startDataCiteServer, type DataCiteTestServer } from './helpers/datacite-server.js';
import { jenaValidateMany, type JenaReport } from './helpers/jena.js';
import { tmpFile, rdflibNTriples, ensureReferees } from './helpers/fair.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHAPES = tmpFile('syndb-shapes.ttl', readdirSync(join(ROOT, 'shapes')).filter((f) => f.endsWith('.ttl')).sort()
  .map((f) => readFileSync(join(ROOT, 'shapes', f), 'utf8')).join('\n'));
const ONTOLOGY = readdirSync(join(ROOT, 'ontologies')).filter((f) => f.endsWith('.ttl')).sort().map((f) => join(ROOT, 'ontologies', f));

const EXT: Record<string, string> = { 'text/turtle': 'ttl', 'application/n-triples': 'nt', 'application/ld+json': 'jsonld', 'application/rdf+xml': 'rdf', 'application/trig': 'trig', 'application/n-quads': 'nq' };
const PAGE_TYPES = ['text/turtle', 'application/n-triples', 'application/ld+json', 'application/rdf+xml'];

let svc: TestService;
let datacite: DataCiteTestServer;
beforeAll(async () => {
  ensureReferees();
  datacite = await startDataCiteServer();
  svc = await startTestService({ config: { datacite: { url: datacite.url, prefix: datacite.prefix, user: datacite.user, password: datacite.password, retryMs: 200, maxRetryMs: 1000, timeoutMs: 10_000, checkMs: 60_000 } } });
  await svc.ctx.dois!.idle();
}, 240_000);
afterAll(async () => { await svc?.stop(); await datacite?.close(); });

interface Served { label: string; file: string }

/** Fetch one representation (it must be served as asked) and keep it in a file named for its media type. */
async function served(path: string, type: string, out: Served[]): Promise<string> {
  const res = await svc.fetch(path, { headers: { accept: type } });
  const body = await res.text();
  expect(res.status, `${path} as ${type}: ${body.slice(0, 300)}`).toBe(200);
  expect(res.headers.get('content-type'), path).toContain(type);
  // Jena 4.5 (Debian) cannot read JSON-LD: rdflib parses it, Jena validates the N-Triples
  const file = type === 'application/ld+json' ? tmpFile('doc.nt', rdflibNTriples([{ data: body, format: 'json-ld' }])[0]) : tmpFile(`doc.${EXT[type]}`, body);
  out.push({ label: `${path} (${type})`, file });
  return body;
}

describe('every RDF representation we serve conforms to shapes/*.ttl (Apache Jena)', () => {
  it('dataset pages, versions, profiles, history, activities, Graph Store graphs and the catalog', async () => {
    const docs: Served[] = [];
    const entries = [...svc.ctx.catalog.entries.values()].filter((e) => svc.ctx.catalog.latest(e) !== undefined);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    const activities = new Set<string>();
    for (const e of entries) {
      const pages = [`/datasets/${e.id}`, ...e.versions.filter((v) => !e.withdrawn.has(v)).map((v) => `/datasets/${e.id}/versions/${v}`)];
      for (const p of pages) {
        for (const type of PAGE_TYPES) {
          for (const profile of ['', 'schema', 'dcat', 'full']) {
            const body = await served(profile ? `${p}?profile=${profile}` : p, type, docs);
            if (type === 'text/turtle') for (const m of body.matchAll(/<(http:\/\/localhost:3030\/activities\/[0-9a-f-]+)>/g)) activities.add(m[1]);
          }
        }
      }
      for (const type of ['text/turtle', 'application/ld+json', 'application/n-triples']) await served(`/datasets/${e.id}/history`, type, docs);
      for (const v of e.versions.filter((x) => !e.withdrawn.has(x))) {
        const graph = encodeURIComponent(svc.ctx.iris.version(e.id, v));
        for (const type of PAGE_TYPES) await served(`/store?graph=${graph}`, type, docs);
      }
    }
    expect(activities.size).toBeGreaterThanOrEqual(entries.length);
    for (const a of activities) for (const type of ['text/turtle', 'application/ld+json']) await served(a.replace('http://localhost:3030', ''), type, docs);
    for (const type of ['text/turtle', 'application/ld+json', 'application/rdf+xml', 'application/n-triples']) await served('/catalog', type, docs);

    const reports: JenaReport[] = await jenaValidateMany(docs.map((d) => [SHAPES, [d.file, ...ONTOLOGY].join('|')]));
    const failures = reports.flatMap((r, i) => r.results.map((x) => ({ where: docs[i].label, what: `${x.path} ${x.sourceShape} ${x.constraint.replace(/^.*#/, '')} ${x.message ?? ''}`, focus: x.focusNode })));
    const byKind = new Map<string, string[]>();
    for (const f of failures) byKind.set(f.what, [...(byKind.get(f.what) ?? []), `${f.where} ${f.focus}`]);
    const summary = [...byKind].map(([what, where]) => `${where.length}x ${what}\n   e.g. ${where.slice(0, 3).join('\n   e.g. ')}`).join('\n');
    expect(failures.length, `${failures.length} results in ${docs.length} documents:\n${summary}`).toBe(0);
    expect(reports.every((r) => r.conforms)).toBe(true);
  }, 900_000);

  it('the referee finds a violation when there is one (an activity typed without its own triples)', async () => {
    const bad = tmpFile('bad.ttl', '<http://localhost:3030/activities/00000000-0000-0000-0000-000000000000> a <http://www.w3.org/ns/prov#Activity> .\n');
    const [r] = await jenaValidateMany([[SHAPES, [bad, ...ONTOLOGY].join('|')]]);
    expect(r.conforms).toBe(false);
    expect(r.results.length).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
