/**
 * The server's log (issue 17, item 5): one JSON object a line written by pino, a request id on
 * every request line and response (the caller's X-Request-Id when it is a plain token), and no
 * credential in any line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { startServer } from '../src/http/server.js';
import { createJsonLog } from '../src/util/json-log.js';

let ctx: ServiceContext;
let srv: { url: string; stop(): Promise<void> };
let dir: string;
let out = '';
const sink = new Writable({ write(chunk, _enc, done) { out += chunk.toString(); done(); } });
const log = createJsonLog(sink);
const lines = () => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
/** The request line of a response, once the server has written it (after the response ends). */
async function lineOf(reqId: string) {
  for (let i = 0; i < 100; i++) {
    const l = lines().find((x) => x.msg === 'request' && x.reqId === reqId);
    if (l) return l;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no request line for ${reqId} in:\n${out}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syndb-request-log-'));
  ctx = await openContext(configFromEnv({ SYNDB_DATA_DIR: dir, PORT: '0' }));
  srv = await startServer(ctx, log);
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('request log', () => {
  it('names each request by an id it also answers with; a plain X-Request-Id is kept, anything else replaced', async () => {
    const given = await fetch(`${srv.url}/health`, { headers: { 'x-request-id': 'lab-42.run:7' } });
    await given.text();
    expect(given.headers.get('x-request-id')).toBe('lab-42.run:7');
    const line = await lineOf('lab-42.run:7');
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', path: '/health', status: 200 });
    expect(Date.parse(line.time as string)).not.toBeNaN();
    for (const bad of ['has space', 'x'.repeat(129), '<script>']) {
      const r = await fetch(`${srv.url}/health`, { headers: { 'x-request-id': bad } });
      await r.text();
      const id = r.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await lineOf(id);
    }
    const two = await Promise.all([1, 2].map(() => fetch(`${srv.url}/health`).then(async (r) => { await r.text(); return r.headers.get('x-request-id'); })));
    expect(two[0]).not.toBe(two[1]);
  });

  it('never writes a credential: not a bearer token of a request, not one a record carries', async () => {
    const r = await fetch(`${srv.url}/datasets`, { headers: { authorization: 'Bearer s3cret-token-value', accept: 'application/json' } });
    await r.text();
    await lineOf(r.headers.get('x-request-id')!);
    log({ level: 'warn', msg: 'upstream refused', headers: { authorization: 'Basic ZGJhOnMzY3JldC10b2tlbi12YWx1ZQ==', cookie: 'sid=s3cret-token-value' }, password: 's3cret-token-value', token: 's3cret-token-value' });
    const last = lines().at(-1)!;
    expect(last).toMatchObject({ level: 'warn', msg: 'upstream refused', password: '[redacted]', token: '[redacted]', headers: { authorization: '[redacted]', cookie: '[redacted]' } });
    expect(out).not.toContain('s3cret-token-value');
    expect(out).not.toContain('ZGJhOnMzY3JldC10b2tlbi12YWx1ZQ');
  });
});
