/** Start a real service (embedded store in a temp dir, HTTP on an ephemeral port) for a test file. */
import { afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type Config } from '../../src/service/config.js';
import { openContext, type ServiceContext } from '../../src/service/context.js';
import { loadExamples } from '../../src/service/examples.js';
import { startServer } from '../../src/http/server.js';
import { startVirtuoso, type Virtuoso } from './virtuoso.js';

export const BASE = 'http://localhost:3030';
const virtuosoByDir = new Map<string, Virtuoso>();
// servers kept for restarts on a caller's data directory end with the test file
afterAll(async () => {
  for (const v of virtuosoByDir.values()) await v.stop();
  virtuosoByDir.clear();
});
export const ADMIN_TOKEN = 'test-admin-token';

export interface TestService {
  ctx: ServiceContext;
  url: string;
  dataDir: string;
  fetch(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  quadCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestService(opts: { examples?: boolean; dataDir?: string; config?: Partial<Config> } = {}): Promise<TestService> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'syndb-test-'));
  // SYNDB_TEST_STORE=virtuoso: the same service on a Virtuoso 7 started on loopback for this test
  // file; a restart on the same data directory finds the same server (stopped at process exit)
  let virtuoso: Virtuoso | undefined;
  if (process.env.SYNDB_TEST_STORE === 'virtuoso') {
    virtuoso = virtuosoByDir.get(dataDir) ?? await startVirtuoso();
    if (opts.dataDir) virtuosoByDir.set(dataDir, virtuoso);
  }
  const remote = virtuoso ? { SYNDB_STORE: virtuoso.url, SYNDB_STORE_GSP_URL: virtuoso.gspUrl, SYNDB_STORE_USER: virtuoso.user, SYNDB_STORE_PASSWORD: virtuoso.password } : {};
  const config = { ...configFromEnv({ SYNDB_DATA_DIR: dataDir, SYNDB_BASE_IRI: BASE, SYNDB_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0', ...remote }), maxBody: 256 * 1024, ...opts.config };
  const ctx = await openContext(config).catch(async (e) => { if (!opts.dataDir) await virtuoso?.stop(); throw e; });
  if (opts.examples !== false && ctx.catalog.entries.size === 0) await loadExamples(ctx);
  // errors (500s, storage failures) reach stderr so a failing test shows their cause
  const srv = await startServer(ctx, (o) => { if (o.level === 'error') process.stderr.write(`${JSON.stringify(o)}\n`); });
  return {
    ctx, url: srv.url, dataDir,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? undefined : init.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      return fetch(srv.url + path, { ...init, headers });
    },
    async quadCount() { return (await ctx.store.stats()).quads; },
    async stop() {
      await srv.stop();
      await ctx.close();
      if (!opts.dataDir) await virtuoso?.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
