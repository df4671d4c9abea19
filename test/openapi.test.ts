/**
 * /openapi.json: a valid OpenAPI 3.1 document (checked by @seriousme/openapi-schema-validator)
 * that describes exactly the routes the express app registers (its route table, walked as
 * allowed-methods.ts reads it), with problem+json errors and bearer auth; live answers of the
 * service use the statuses and media types it documents; /api renders every operation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestService, type TestService } from './helpers/service.js';
import { createApp } from '../src/http/app.js';
import { routeTable } from '../src/http/allowed-methods.js';
import { openApiDocument, openApiPath } from '../src/http/openapi.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'];

let svc: TestService;
let doc: Json;
beforeAll(async () => {
  svc = await startTestService();
  const res = await svc.fetch('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await res.json();
}, 120_000);
afterAll(async () => svc?.stop());

const described = (d: Json) => Object.entries(d.paths as Json).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
const deref = (o: Json): Json => (o?.$ref ? o.$ref.slice(2).split('/').reduce((x: Json, k: string) => x[k], doc) : o);

describe('OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const v = new Validator();
    const r = await v.validate(structuredClone(doc));
    expect(r.errors ?? [], JSON.stringify(r.errors, null, 1)?.slice(0, 3000)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(v.version).toBe('3.1');
    // the validator catches a broken document (this test can fail)
    const broken = structuredClone(doc);
    broken.paths['/health'].get.responses = { 200: { content: {} } }; // a response needs a description
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('is the module\'s document, served as is', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument(svc.ctx.iris.base))));
  });

  it('describes every route the app registers, and nothing else', () => {
    const app = createApp(svc.ctx, () => {});
    const routes = routeTable(app);
    expect(routes.length).toBeGreaterThan(50);
    // routes for every method answer 405 themselves; filter routes (wildcard "rest") pass on what they do not handle
    const resources = routes.filter((r) => r.method !== '_all' && !r.path.includes('*rest'));
    const registered = [...new Set(resources.map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`))].sort();
    const documented = [...new Set(described(doc))].sort();
    expect(registered.filter((r) => !documented.includes(r)), 'registered but not described').toEqual([]);
    expect(documented.filter((d) => !registered.includes(d)), 'described but not registered').toEqual([]);
    // the filter routes are only the provenance router's two
    expect(routes.filter((r) => r.path.includes('*rest')).map((r) => r.path).sort()).toEqual(['/datasets/:id/*rest', '/datasets/:id/versions/:n/*rest']);
  });

  it('path templates: express :id is {id}; every template parameter is declared in: path', () => {
    expect(openApiPath('/datasets/:id/versions/:n')).toBe('/datasets/{id}/versions/{n}');
    expect(openApiPath('/store/*path')).toBe('/store/{path}');
    expect(openApiPath('/sparql/')).toBe('/sparql');
    for (const [p, item] of Object.entries(doc.paths as Json)) {
      const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const m of METHODS.filter((x) => item[x])) {
        const inPath = (item[m].parameters ?? []).map(deref).filter((x: Json) => x.in === 'path');
        expect(inPath.map((x: Json) => x.name).sort(), `${m} ${p}`).toEqual(names);
        for (const x of inPath) expect(x.required, `${m} ${p} ${x.name}`).toBe(true);
      }
    }
  });

  it('errors are RFC 9457 problem+json; writes name bearer auth; bodies have media types', () => {
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const problem = doc.components.schemas.Problem;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
    const ids = new Set<string>();
    for (const [p, item] of Object.entries(doc.paths as Json)) {
      for (const m of METHODS.filter((x) => item[x])) {
        const op = item[m];
        expect(ids.has(op.operationId), `operationId ${op.operationId} twice`).toBe(false);
        ids.add(op.operationId);
        const codes = Object.keys(op.responses);
        expect(codes.some((c) => /^[23]\d\d$/.test(c)), `${m} ${p} has a success response`).toBe(true);
        for (const c of codes.filter((x) => /^[45]\d\d$/.test(x) || x === 'default')) {
          const r = deref(op.responses[c]);
          if (p === '/upload') continue; // the HTML form answers its errors as the form again
          expect(Object.keys(r.content ?? {}), `${m} ${p} ${c}`).toEqual(['application/problem+json']);
          expect(r.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
        }
        if (op.requestBody) expect(Object.keys(deref(op.requestBody).content).length, `${m} ${p} body`).toBeGreaterThan(0);
        if (['put', 'patch', 'delete'].includes(m)) expect(op.security, `${m} ${p}`).toEqual([{ bearer: [] }]);
      }
    }
  });

  it('live answers use the statuses and media types the document gives', async () => {
    const cases: Array<{ path: string; method?: string; headers?: Record<string, string>; template?: string }> = [
      { path: '/' }, { path: '/health' }, { path: '/health/ready' }, { path: '/metrics' }, { path: '/openapi.json' }, { path: '/api' },
      { path: '/upload' }, { path: '/datasets' }, { path: '/datasets', headers: { accept: 'application/ld+json' } }, { path: '/collections' },
      { path: '/sparql', headers: { accept: 'text/turtle' } }, { path: '/sparql', headers: { accept: 'text/html' } },
      { path: '/sparql?query=ASK%7B%7D' }, { path: '/sparql?query=nonsense' }, { path: '/catalog' }, { path: '/sitemap.xml' }, { path: '/robots.txt' },
      { path: '/oai?verb=Identify' }, { path: '/archive' },
      { path: '/datasets/l4dense-motta2019', template: '/datasets/{id}', headers: { accept: 'text/turtle' } },
      { path: '/datasets/no-such-dataset', template: '/datasets/{id}' },
      { path: '/datasets/l4dense-motta2019', template: '/datasets/{id}', headers: { accept: 'image/png' } },
      { path: '/datasets/l4dense-motta2019/versions', template: '/datasets/{id}/versions' },
      { path: '/datasets/l4dense-motta2019/history', template: '/datasets/{id}/history' },
      { path: '/datasets/syndb-style-example/tables/synapse', template: '/datasets/{id}/tables/{compartment}' },
      { path: '/datasets', method: 'POST', headers: { 'content-type': 'application/json' } },
      { path: '/store?default', template: '/store' },
      { path: '/static/yasgui/yasgui.min.css', template: '/static/yasgui/{file}' },
      { path: '/sparql/_editor/prefixes.json', template: '/sparql/_editor/{file}' },
    ];
    for (const c of cases) {
      const method = (c.method ?? 'GET').toLowerCase();
      const res = await svc.fetch(c.path, { method: c.method, headers: c.headers, body: c.method === 'POST' ? '{}' : undefined });
      const template = c.template ?? c.path.split('?')[0];
      const op = doc.paths[template]?.[method];
      expect(op, `${method} ${template} is described`).toBeDefined();
      const r = op.responses[String(res.status)] ?? op.responses.default;
      expect(op.responses[String(res.status)] ?? (res.status >= 500 ? r : undefined), `${method} ${c.path}: status ${res.status} is documented`).toBeDefined();
      const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
      const types = Object.keys(deref(r).content ?? {});
      if (type) expect(types, `${method} ${c.path} ${res.status}: ${type}`).toContain(type);
      if (type === 'application/problem+json') {
        const p = await res.json();
        for (const k of doc.components.schemas.Problem.required) expect(p[k], `${c.path} ${k}`).toBeDefined();
        expect(p.status).toBe(res.status);
      }
    }
  });

  it('/api renders every operation from the same document, in the site layout', async () => {
    const res = await svc.fetch('/api');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<header class="site">');
    const rendered = [...html.matchAll(/<section class="operation" id="[^"]+" data-method="([a-z]+)" data-path="([^"]+)">/g)].map((m) => `${m[1].toUpperCase()} ${m[2].replace(/&#39;/g, "'")}`).sort();
    expect(rendered).toEqual(described(doc).sort());
    expect(html).toContain('application/problem+json');
    expect(html).toContain('href="/openapi.json"');
    expect(html).not.toMatch(/<script/);
    expect((await svc.fetch('/api', { headers: { accept: 'application/json' } })).status).toBe(406);
  });
});
