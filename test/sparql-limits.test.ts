/**
 * Configurable limits of /sparql: the result-size limit (SYNDB_MAX_RESULT_BYTES) ends a huge result
 * with a clear 413, and the endpoint keeps answering; the timeout is covered in sparql-update.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { startServer } from '../src/http/server.js';

let ctx: ServiceContext;
let srv: { url: string; stop(): Promise<void> };
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syndb-limits-'));
  const config = configFromEnv({ SYNDB_DATA_DIR: dir, PORT: '0', SYNDB_MAX_RESULT_BYTES: '20000', SYNDB_QUERY_TIMEOUT_MS: '20000' });
  expect(config.maxResultBytes).toBe(20000);
  ctx = await openContext(config);
  srv = await startServer(ctx, () => {});
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('result-size limit', () => {
  it('a result over SYNDB_MAX_RESULT_BYTES is a 413 that says what to do; small results still work', async () => {
    const big = await fetch(`${srv.url}/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p ?o }')}`);
    expect(big.status).toBe(413);
    const p = await big.json();
    expect(p.title).toBe('Result Too Large');
    expect(p.detail).toMatch(/LIMIT/);
    const small = await fetch(`${srv.url}/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p ?o } LIMIT 5')}`);
    expect(small.status).toBe(200);
    expect((await small.json()).results.bindings).toHaveLength(5);
  });
});
