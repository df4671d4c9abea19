/**
 * The agents of activities (`/users/{name}`, every prov:wasAssociatedWith) dereference: the
 * account's statements in RDF or a page, for anyone who may read a dataset the account changed;
 * an account seen only in private datasets is as absent as one that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, BASE, type TestService } from './helpers/service.js';

let svc: TestService;
let alice: string;
let mallory: string;
const dataset = (id: string, over: Record<string, unknown> = {}) => JSON.stringify({ id, title: `Agents ${id}`, description: 'A dataset of the agent dereferencing tests.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'], ...over });

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  mallory = svc.ctx.tokens.create('mallory', 'contributor');
  expect((await svc.fetch('/datasets?publish=true', { method: 'POST', token: alice, headers: { 'content-type': 'application/json' }, body: dataset('agents-public') })).status).toBe(201);
  expect((await svc.fetch('/datasets?publish=true', { method: 'POST', token: mallory, headers: { 'content-type': 'application/json' }, body: dataset('agents-private', { access: 'private' }) })).status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

describe('/users/{name}', () => {
  it('an account that changed a public dataset: prov:Agent with its account name, in RDF and HTML', async () => {
    const r = await svc.fetch('/users/alice', { headers: { accept: 'application/n-triples' } });
    expect(r.status).toBe(200);
    const nt = await r.text();
    expect(nt).toContain(`<${BASE}/users/alice> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/prov#Agent>`);
    expect(nt).toContain('<http://xmlns.com/foaf/0.1/accountName> "alice"');
    const html = await svc.fetch('/users/alice', { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('alice');
  });
  it('an account seen only in private datasets: 404 to others, found by itself; unknown and malformed names 404', async () => {
    expect((await svc.fetch('/users/mallory')).status).toBe(404);
    expect((await svc.fetch('/users/mallory', { token: mallory })).status).toBe(200);
    const r = await svc.fetch('/users/nobody');
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await svc.fetch('/users/a%20b')).status).toBe(404);
  });
});
