/**
 * multipart/form-data bodies (src/http/multipart.ts) on the two routes that take them, a Graph
 * Store POST of several RDF files and an asset upload: the forms they accept, and the limits and
 * malformed bodies they refuse (413 past a limit, 400 for a broken body, problem+json), with
 * nothing stored and the service still answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestService, ADMIN_TOKEN, type TestService } from './helpers/service.js';
import { GSP_MAX_PARTS } from '../src/http/graph-store-router.js';
import { ASSET_FORM_FIELD_BYTES, ASSET_FORM_PARTS } from '../src/http/assets-router.js';

let svc: TestService;
let alice: string;
const DS = 'multipart-limits';

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  alice = svc.ctx.tokens.create('alice', 'contributor');
  const ds = { id: DS, title: 'Multipart', description: 'Multipart limits.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['neuron'] };
  const res = await svc.fetch('/datasets', { method: 'POST', body: JSON.stringify(ds), headers: { 'content-type': 'application/json' }, token: alice });
  expect(res.status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

const B = 'syndbTestBoundary42';
const CT = `multipart/form-data; boundary=${B}`;
/** A part: its headers, a blank line, its body. */
const part = (headers: string[], body: string) => `--${B}\r\n${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
const field = (name: string, value: string, type?: string) => part([`Content-Disposition: form-data; name="${name}"`, ...(type ? [`Content-Type: ${type}`] : [])], value);
const file = (filename: string, body: string, type?: string) => part([`Content-Disposition: form-data; name="file"; filename="${filename}"`, ...(type ? [`Content-Type: ${type}`] : [])], body);
const form = (...parts: string[]) => `${parts.join('')}--${B}--\r\n`;

async function problem(res: Response, status: number, detail: RegExp) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(text) as { status: number; detail: string };
  expect(p.status).toBe(status);
  expect(p.detail).toMatch(detail);
}

describe('Graph Store POST of a multipart/form-data body', () => {
  const G = 'http://ex.org/multipart/';
  const post = (g: string, body: string, type = CT) => svc.fetch(`/store?graph=${encodeURIComponent(G + g)}`, { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': type }, body });
  const absent = async (g: string) => expect((await svc.fetch(`/store?graph=${encodeURIComponent(G + g)}`, { token: ADMIN_TOKEN })).status).toBe(404);

  it('stores every part: file parts, a part without Content-Type (typed by its file name), a text field', async () => {
    const res = await post('mixed', form(
      file('a.ttl', '@prefix ex: <http://ex.org/> .\nex:s ex:p "from a typed file" .', 'text/turtle; charset=utf-8'),
      file('b.ttl', '@prefix ex: <http://ex.org/> .\nex:s ex:p "from an untyped Turtle file" .'),
      field('c', '<http://ex.org/s> <http://ex.org/p> "from a text field" .', 'application/n-triples'),
    ));
    expect(res.status, await res.clone().text()).toBe(201);
    const g = await (await svc.fetch(`/store?graph=${encodeURIComponent(`${G}mixed`)}`, { token: ADMIN_TOKEN, headers: { accept: 'application/n-triples' } })).text();
    expect(g).toContain('"from a typed file"');
    expect(g).toContain('"from an untyped Turtle file"');
    expect(g).toContain('"from a text field"');
  });

  it(`takes ${GSP_MAX_PARTS} parts and refuses one more with 413, storing nothing`, async () => {
    const parts = (n: number) => Array.from({ length: n }, (_, i) => field(`p${i}`, `<http://ex.org/s> <http://ex.org/p> "${i}" .`, 'application/n-triples'));
    const ok = await post('many', form(...parts(GSP_MAX_PARTS)));
    expect(ok.status, await ok.clone().text()).toBe(201);
    await problem(await post('too-many', form(...parts(GSP_MAX_PARTS + 1))), 413, new RegExp(`more than ${GSP_MAX_PARTS} (parts|text fields)`));
    await absent('too-many');
  });

  it('refuses a body over SYNDB_MAX_BODY with 413', async () => {
    const big = `<http://ex.org/s> <http://ex.org/p> "${'x'.repeat(svc.ctx.config.maxBody)}" .`;
    await problem(await post('big', form(file('big.nt', big, 'application/n-triples'))), 413, /larger than the limit/);
    await absent('big');
  });

  it('refuses malformed bodies with 400: no boundary, another boundary, a broken part header, no closing boundary', async () => {
    const body = form(file('a.ttl', '<http://ex.org/s> <http://ex.org/p> "x" .', 'text/turtle'));
    await problem(await post('bad', body, 'multipart/form-data'), 400, /no boundary parameter/);
    await problem(await post('bad', body, 'multipart/form-data; boundary=other'), 400, /closing boundary/);
    await problem(await post('bad', form(part(['Content-Disposition form-data; name="a"'], '<http://ex.org/s> <http://ex.org/p> "x" .'))), 400, /part header is malformed/);
    await problem(await post('bad', body.slice(0, body.indexOf(`--${B}--`))), 400, /ended before the closing boundary/);
    await problem(await post('bad', body.slice(0, body.length - 20)), 400, /ended before the closing boundary/);
    await absent('bad');
  });
});

describe('asset upload as multipart/form-data', () => {
  const swc = (x: number) => `1 1 ${x} 0 0 1 -1\n2 3 ${x + 5} 0 0 1 1\n`;
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const post = (body: string, type = CT) => svc.fetch(`/datasets/${DS}/assets`, { method: 'POST', token: alice, headers: { 'content-type': type }, body });
  const assetDir = () => join(svc.dataDir, 'assets');
  const names = async () => ((await (await svc.fetch(`/datasets/${DS}/assets?version=draft`, { token: alice })).json()) as { assets: { name: string }[] }).assets.map((a) => a.name);
  /** Nothing of a refused upload is left: no description, no file, no temp file. */
  async function nothingStored(name: string, content: string, quadsBefore: number) {
    expect(await names()).not.toContain(name);
    expect(await svc.quadCount()).toBe(quadsBefore);
    expect(existsSync(join(assetDir(), sha(content)))).toBe(false);
    if (existsSync(assetDir())) expect(readdirSync(assetDir()).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  }

  it(`takes the file among ${ASSET_FORM_PARTS} parts and refuses one part more with 413, storing nothing`, async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => field(`extra${i}`, 'x'));
    const ok = await post(form(...fields(ASSET_FORM_PARTS - 1), file('many.swc', swc(1), 'text/plain')));
    expect(ok.status, await ok.clone().text()).toBe(201);
    const before = await svc.quadCount();
    // the file first: it is being stored when the parts after it go past the limit
    await problem(await post(form(file('toomany.swc', swc(2), 'text/plain'), ...fields(ASSET_FORM_PARTS))), 413, new RegExp(`more than ${ASSET_FORM_PARTS} parts`));
    await nothingStored('toomany.swc', swc(2), before);
    await problem(await post(form(...fields(ASSET_FORM_PARTS), file('toomany.swc', swc(2), 'text/plain'))), 413, new RegExp(`more than ${ASSET_FORM_PARTS} (parts|text fields)`));
    await nothingStored('toomany.swc', swc(2), before);
  });

  it(`takes a field of ${ASSET_FORM_FIELD_BYTES} bytes and refuses a longer one with 413, storing nothing`, async () => {
    const ok = await post(form(field('note', 'n'.repeat(ASSET_FORM_FIELD_BYTES)), file('note.swc', swc(3))));
    expect(ok.status, await ok.clone().text()).toBe(201);
    const before = await svc.quadCount();
    await problem(await post(form(field('note', 'n'.repeat(ASSET_FORM_FIELD_BYTES + 1)), file('longnote.swc', swc(4)))), 413, new RegExp(`"note" is longer than ${ASSET_FORM_FIELD_BYTES} bytes`));
    // after the file too
    await problem(await post(form(file('longnote.swc', swc(4)), field('note', 'n'.repeat(ASSET_FORM_FIELD_BYTES + 1)))), 413, /"note" is longer/);
    await nothingStored('longnote.swc', swc(4), before);
  });

  it('refuses a file part over SYNDB_MAX_ASSET_BYTES with 413, storing nothing', async () => {
    const big = swc(5).padEnd(65, '\n');
    process.env.SYNDB_MAX_ASSET_BYTES = '64';
    try {
      const before = await svc.quadCount();
      await problem(await post(form(file('big.swc', big, 'text/plain'))), 413, /larger than the limit of 64 bytes/);
      await nothingStored('big.swc', big, before);
    } finally { delete process.env.SYNDB_MAX_ASSET_BYTES; }
  });

  it('refuses malformed bodies with 400 (no boundary, a broken part header, a body that breaks off in or after the file), storing nothing', async () => {
    const before = await svc.quadCount();
    const content = swc(6);
    const body = form(file('cut.swc', content, 'text/plain'), field('swcUnit', 'um'));
    await problem(await post(body, 'multipart/form-data'), 400, /no boundary parameter/);
    await problem(await post(form(part(['Content-Disposition: form-data; name="file"; filename="cut.swc"', 'Content-Type text/plain'], content))), 400, /part header is malformed/);
    // inside the file part
    await problem(await post(body.slice(0, body.indexOf(content) + 5)), 400, /ended before the closing boundary/);
    // after the file part ended, inside the field that follows it
    await problem(await post(body.slice(0, body.indexOf('um', body.indexOf('swcUnit')))), 400, /ended before the closing boundary/);
    await nothingStored('cut.swc', content, before);
    expect((await post(body)).status).toBe(201); // the whole body is fine
  });

  it('a form refused before its file is read (a row the draft lacks) is a 422; the service goes on', async () => {
    const before = await svc.quadCount();
    const content = swc(9);
    const res = await post(form(field('row', 'neuron/no-such-cell'), file('norow.swc', content, 'text/plain')));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/no neuron row with cid "no-such-cell"/);
    await nothingStored('norow.swc', content, before);
    expect((await svc.fetch('/health')).status).toBe(200);
  });

  it('a client that goes away in the middle of the file leaves nothing, and the next upload goes through', async () => {
    const before = await svc.quadCount();
    const content = swc(7);
    const { hostname, port } = new URL(svc.url);
    const req = request({ hostname, port, method: 'POST', path: `/datasets/${DS}/assets`, headers: { 'content-type': CT, authorization: `Bearer ${alice}`, 'transfer-encoding': 'chunked' } });
    const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
    req.on('error', () => undefined);
    req.write(`--${B}\r\nContent-Disposition: form-data; name="file"; filename="gone.swc"\r\n\r\n${content}`);
    // wait until the server is writing the file, then hang up
    for (let i = 0; i < 400 && !(existsSync(assetDir()) && readdirSync(assetDir()).some((f) => f.startsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(assetDir()).some((f) => f.startsWith('.tmp')), 'the upload reached the server').toBe(true);
    req.destroy();
    await closed;
    // the next write of the dataset waits for the broken upload to be given up, then is stored
    const next = await post(form(file('after.swc', swc(8), 'text/plain')));
    expect(next.status, await next.clone().text()).toBe(201);
    expect(await names()).toContain('after.swc');
    expect(await names()).not.toContain('gone.swc');
    expect(existsSync(join(assetDir(), sha(content)))).toBe(false);
    expect(readdirSync(assetDir()).filter((f) => f.startsWith('.tmp'))).toEqual([]);
    expect(await svc.quadCount()).toBeGreaterThan(before);
    expect((await svc.fetch('/health')).status).toBe(200);
  });
});
