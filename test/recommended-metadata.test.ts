/**
 * Recommended metadata, as harvesters measure it, over every example: the DCAT-AP 3.0.0
 * recommended, range and deprecated-term shapes (SEMICeu, test/fixtures/dcat-ap-3) on the
 * catalog and on the DCAT description of every dataset page and version, and the ESIP
 * science-on-schema.org 1.2.3 shapes (test/fixtures/soso) on the schema.org JSON-LD of every
 * page, all run by Apache Jena. A result may remain only where our data has no value for the
 * property (listed in README.md "Recommended metadata"): every other one fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestService, type TestService } from './helpers/service.js';
import { startDataCiteServer, type DataCiteTestServer } from './helpers/datacite-server.js';
import { jenaValidateMany, type JenaResult } from './helpers/jena.js';
import { tmpFile, rdflibNTriples, ensureReferees, tripleSet } from './helpers/fair.js';
import { createHash } from 'node:crypto';
import { sharedPath } from './helpers/shared.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const DCAT_AP = sharedPath('conformance/dcat-ap/dcat-ap-3.0.0-SHACL.ttl');
const DCAT_SHAPES = ['shapes_recommended.ttl', 'range.ttl', 'deprecateduris.ttl'].map((f) => join(FIX, 'dcat-ap-3', f));
const SOSO = join(FIX, 'soso', 'soso_common_v1.2.3.ttl');

/**
 * What remains, and why: the property (and, for a class, the focus) of each result our data has
 * no value for. Anything not listed here fails the test.
 */
const NO_VALUE: Array<{ path: string; why: string; focus?: RegExp }> = [
  { path: '<http://purl.org/dc/terms/spatial>', why: 'no dataset records a geographic place (the specimens are brain tissue, not places)' },
  { path: '<http://purl.org/dc/terms/temporal>', why: 'temporal coverage is known only from source tables with a materialisation time (CAVE imports)', focus: /\/datasets\/(?!microns)/ },
  { path: '<http://purl.org/dc/terms/type>', why: 'the kind of organisation (ADMS publisher type) of the publisher and of organisation creators is not recorded; persons are typed', focus: /#publisher>$|\/\.well-known\/genid\// },
  { path: '<http://purl.org/dc/terms/license>', why: 'the catalog records no licence of its own metadata (each dataset and distribution has its licence)', focus: /\/catalog>$/ },
];

let svc: TestService;
let datacite: DataCiteTestServer;
beforeAll(async () => {
  ensureReferees();
  datacite = await startDataCiteServer();
  svc = await startTestService({ config: { datacite: { url: datacite.url, prefix: datacite.prefix, user: datacite.user, password: datacite.password, retryMs: 200, maxRetryMs: 1000, timeoutMs: 10_000, checkMs: 60_000 } } });
  await svc.ctx.dois!.idle();
}, 240_000);
afterAll(async () => { await svc?.stop(); await datacite?.close(); });

async function text(path: string, accept: string): Promise<string> {
  const r = await svc.fetch(path, { headers: { accept } });
  const body = await r.text();
  expect(r.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
  return body;
}

function pages(): string[] {
  const out: string[] = [];
  for (const e of svc.ctx.catalog.entries.values()) {
    if (!svc.ctx.catalog.isPublic(e) || svc.ctx.catalog.latest(e) === undefined) continue;
    out.push(`/datasets/${e.id}`, ...e.versions.filter((v) => !e.withdrawn.has(v)).map((v) => `/datasets/${e.id}/versions/${v}`));
  }
  return out;
}

const show = (label: string, r: JenaResult) => `${label}: ${r.severity.replace(/^.*#/, '').replace('>', '')} ${r.focusNode} ${r.path} ${r.message ?? r.constraint}`;
const allowed = (r: JenaResult) => NO_VALUE.some((n) => n.path === r.path && (!n.focus || n.focus.test(r.focusNode)));

describe('recommended metadata (DCAT-AP 3 recommended shapes, ESIP science-on-schema.org)', () => {
  it('DCAT-AP 3: the catalog and every page\'s DCAT, zero results but where the data has no value', async () => {
    // the catalog in Turtle and RDF/XML (a serialiser that loses a datatype shows here), each page's DCAT in Turtle
    const docs = [{ label: '/catalog', file: tmpFile('catalog.ttl', await text('/catalog', 'text/turtle')) }, { label: '/catalog (RDF/XML)', file: tmpFile('catalog.rdf', await text('/catalog', 'application/rdf+xml')) }];
    for (const p of pages()) docs.push({ label: `${p}?profile=dcat`, file: tmpFile('dcat.ttl', await text(`${p}?profile=dcat`, 'text/turtle')) });
    const pairs = docs.flatMap((d) => [DCAT_AP, ...DCAT_SHAPES].map((s) => [s, d.file] as [string, string]));
    const reports = await jenaValidateMany(pairs);
    const results = reports.flatMap((r, i) => r.results.map((x) => ({ label: docs[Math.floor(i / (DCAT_SHAPES.length + 1))].label, r: x })));
    const unexplained = results.filter((x) => !allowed(x.r)).map((x) => show(x.label, x.r));
    expect(unexplained, `${unexplained.length} results:\n${unexplained.slice(0, 400).join('\n')}`).toEqual([]);
    // the recommended shapes did run: what the data has no value for is reported
    expect(results.some((x) => x.r.path === NO_VALUE[0].path && x.r.severity.includes('Warning'))).toBe(true);
  }, 600_000);

  it('science-on-schema.org 1.2.3: the schema.org JSON-LD of every page, zero results but where the data has no value', async () => {
    const docs: Array<{ label: string; file: string }> = [];
    for (const p of pages()) {
      const nt = rdflibNTriples([{ data: await text(p, 'application/ld+json'), format: 'json-ld' }])[0];
      docs.push({ label: p, file: tmpFile('schema.nt', nt) });
    }
    const reports = await jenaValidateMany(docs.map((d) => [SOSO, d.file]));
    const unexplained = reports.flatMap((r, i) => r.results.filter((x) => !allowed(x)).map((x) => show(docs[i].label, x)));
    expect(unexplained, `${unexplained.length} results:\n${unexplained.slice(0, 400).join('\n')}`).toEqual([]);
  }, 600_000);

  it('what the shapes do not ask but the data has: sizes and checksums of the files, complete version records, one identifier, the licence URL, citations', async () => {
    const DCAT = 'http://www.w3.org/ns/dcat#', DCT = 'http://purl.org/dc/terms/', SPDX = 'http://spdx.org/rdf/terms#';
    const t = tripleSet(rdflibNTriples([{ data: await text('/catalog', 'text/turtle'), format: 'turtle' }])[0]);
    const objects = (s: string, p: string) => [...t].filter((x) => x.startsWith(`NamedNode:${s} NamedNode:${p} `)).map((x) => x.split(' ').slice(2).join(' '));
    const iriOf = (o: string) => o.replace(/^NamedNode:/, '');
    let files = 0;
    for (const e of svc.ctx.catalog.entries.values()) {
      if (!svc.ctx.catalog.isPublic(e) || svc.ctx.catalog.latest(e) === undefined) continue;
      for (const v of e.versions.filter((x) => !e.withdrawn.has(x))) {
        const V = svc.ctx.iris.version(e.id, v);
        // a version record says who publishes it, whom to ask, what it is about and where its data is
        for (const p of [DCT + 'publisher', DCAT + 'contactPoint', DCAT + 'theme', DCAT + 'distribution', DCT + 'license', DCT + 'issued']) expect(objects(V, p).length, `${V} ${p}`).toBeGreaterThan(0);
        expect(objects(V, DCAT + 'keyword').length + objects(V, DCAT + 'theme').length, V).toBeGreaterThan(0);
        // every CSV served as uploaded has its size and SHA-256, and they are those of the bytes served
        for (const d of objects(V, DCAT + 'distribution').map(iriOf).filter((d) => d.includes('#table-'))) {
          const url = iriOf(objects(d, DCAT + 'downloadURL')[0]);
          const body = Buffer.from(await (await svc.fetch(url.replace('http://localhost:3030', ''))).arrayBuffer());
          const size = objects(d, DCAT + 'byteSize')[0];
          const sha = objects(d, SPDX + 'checksum').flatMap((c) => objects(iriOf(c), SPDX + 'checksumValue'))[0];
          if (!size) continue; // a table rebuilt from triples (no file as uploaded): no size to state
          files++;
          expect(size, d).toContain(`"${body.length}"`);
          expect(sha, d).toContain(`"${createHash('sha256').update(body).digest('hex')}"`);
        }
      }
    }
    expect(files).toBeGreaterThan(3);
    for (const p of pages()) {
      const ld = JSON.parse(await text(p, 'application/ld+json')) as Record<string, any>;
      expect(typeof ld.identifier, p).toBe('string');
      if (String(ld.identifier).startsWith('https://doi.org/')) expect([ld.sameAs].flat(), p).toContain(ld.identifier);
      expect(ld.license.url, p).toMatch(/^https:\/\//);
      for (const d of ld.distribution.filter((x: any) => x.encodingFormat === 'text/csv' && x.contentSize)) expect(d['spdx:checksum']['spdx:checksumValue']['@value'], p).toMatch(/^[0-9a-f]{64}$/);
    }
    const l4 = JSON.parse(await text('/datasets/l4dense-motta2019', 'application/ld+json')) as Record<string, any>;
    expect(l4.citation.map((c: any) => c['@id'])).toContain('https://doi.org/10.1126/science.aay3134');
  }, 600_000);
});
