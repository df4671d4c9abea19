/**
 * A write that waits for its dataset's lock while its request body fails must not hold the lock
 * forever: a multipart asset upload whose body ends without the closing boundary, queued behind a
 * slow table upload of the same dataset, answers 400 once the table is stored, and the dataset's
 * next write succeeds. (Found by test/chaos/hostile-requests: the broken part stream was destroyed
 * before the queued upload piped it, so it waited for an end that never came, and every later
 * write of the dataset, and every SPARQL update, waited behind it.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { startTestService, type TestService } from './helpers/service.js';

let svc: TestService;
let token: string;
const ds = (title: string) => JSON.stringify({ id: 'lock-live', title, description: 'Locks.', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] });

beforeAll(async () => {
  svc = await startTestService({ examples: false });
  token = svc.ctx.tokens.create('alice', 'contributor');
  const res = await svc.fetch('/datasets', { method: 'POST', body: ds('Locks'), headers: { 'content-type': 'application/json' }, token });
  expect(res.status).toBe(201);
}, 120_000);
afterAll(async () => svc?.stop());

describe('a failed body behind a dataset lock', () => {
  it('answers 400 when its turn comes and leaves the lock free for the next write', async () => {
    // a table upload that holds the dataset's lock until we let its body end
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    const body = Readable.from((async function* () {
      yield Buffer.from('cid,voxel_volume\n');
      await released;
      yield Buffer.from('s1,10\ns2,20\n');
    })());
    const slow = svc.fetch('/datasets/lock-live/tables/synapse', { method: 'PUT', body: Readable.toWeb(body) as ReadableStream, headers: { 'content-type': 'text/csv' }, token, duplex: 'half' } as RequestInit & { duplex: 'half' });
    await new Promise((r) => setTimeout(r, 300));
    // a multipart asset upload whose body breaks off after the file part began
    const b = 'XyZ';
    const broken = svc.fetch('/datasets/lock-live/assets', { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${b}` }, token,
      body: `--${b}\r\nContent-Disposition: form-data; name="file"; filename="n.swc"\r\nContent-Type: text/plain\r\n\r\n1 1 0 0 0 1 -1\r\n` });
    await new Promise((r) => setTimeout(r, 500));
    release();
    expect((await slow).status).toBe(201);
    const res = await Promise.race([broken, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 15_000))]);
    expect(res, 'the broken upload answers').not.toBe('hang');
    expect((res as Response).status).toBe(400);
    // the dataset's next write is not stuck behind it
    const next = await Promise.race([svc.fetch('/datasets/lock-live', { method: 'PUT', body: ds('Locks, edited'), headers: { 'content-type': 'application/json' }, token }), new Promise<'hang'>((r) => setTimeout(() => r('hang'), 15_000))]);
    expect(next, 'the next write answers').not.toBe('hang');
    expect((next as Response).status).toBe(200);
  }, 60_000);
});
