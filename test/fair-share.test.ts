/**
 * Fair share of /sparql (issue 14, item 4): a client over its share of concurrent and waiting
 * queries gets 429 with Retry-After, a full server queue 503 with Retry-After, and another
 * client's simple query is answered while an abusive client's queries still run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../src/service/config.js';
import { openContext, type ServiceContext } from '../src/service/context.js';
import { startServer } from '../src/http/server.js';
import { FairShare, FairShareRefusal } from '../src/http/fair-share.js';

describe('FairShare', () => {
  const opts = { perClient: 1, perClientQueue: 2, maxRunning: 2, queueSize: 3, queueWaitMs: 60_000 };
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as FairShareRefusal);

  it('limits each client, refuses beyond its queue with 429, and starts waiting clients in turn', async () => {
    const fs = new FairShare(opts);
    const a1 = await fs.acquire('addr:a');
    const order: string[] = [];
    const a2 = fs.acquire('addr:a').then((r) => (order.push('a2'), r));
    const a3 = fs.acquire('addr:a').then((r) => (order.push('a3'), r));
    const over = await refusal(fs.acquire('addr:a'));
    expect(over).toBeInstanceOf(FairShareRefusal);
    expect(over!.status).toBe(429);
    expect(over!.retryAfterS).toBeGreaterThan(0);
    // another client is not held back by a's waiting queries
    const b1 = await fs.acquire('addr:b');
    expect(fs.runningCount).toBe(2);
    expect(fs.queueDepth).toBe(2);
    const b2 = fs.acquire('addr:b').then((r) => (order.push('b2'), r));
    expect(fs.queueDepth).toBe(3);
    // the server queue is full: 503 for a third client
    const full = await refusal(fs.acquire('addr:c'));
    expect(full!.status).toBe(503);
    // a finishes: a2 runs (a is allowed one); b finishes: b2 runs, not a3 (a still runs a2)
    a1();
    const ra2 = await a2;
    b1();
    const rb2 = await b2;
    ra2();
    (await a3)();
    rb2();
    expect(order).toEqual(['a2', 'b2', 'a3']);
    expect(fs.runningCount).toBe(0);
    expect(fs.queueDepth).toBe(0);
    expect(fs.refusals).toEqual({ 429: 1, 503: 1 });
  });

  it('a wait that is aborted or too long leaves the queue', async () => {
    const fs = new FairShare({ ...opts, queueWaitMs: 50 });
    const r = await fs.acquire('addr:a');
    const late = await refusal(fs.acquire('addr:a'));
    expect(late!.status).toBe(503);
    expect(late!.message).toMatch(/waited/);
    const ac = new AbortController();
    const gone = refusal(fs.acquire('addr:a', ac.signal));
    ac.abort();
    expect((await gone)!.status).toBe(503);
    expect(fs.queueDepth).toBe(0);
    r();
    expect(fs.runningCount).toBe(0);
  });
});

describe('/sparql under an abusive client', () => {
  let ctx: ServiceContext;
  let srv: { url: string; stop(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syndb-fair-'));
    ctx = await openContext(configFromEnv({ SYNDB_DATA_DIR: dir, PORT: '0', SYNDB_ADMIN_TOKEN: 'fair-admin', SYNDB_CLIENT_QUERIES: '1', SYNDB_CLIENT_QUEUE: '4' }));
    srv = await startServer(ctx, () => {});
  }, 60_000);
  afterAll(async () => {
    await srv?.stop();
    await ctx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets 429 with Retry-After beyond its share, while another client\'s simple query answers', async () => {
    const admin = { authorization: 'Bearer fair-admin' };
    const rows = Array.from({ length: 200 }, (_, i) => `<http://ex.org/s${i}> <http://ex.org/p> ${i} .`).join('\n');
    const seed = await fetch(`${srv.url}/sparql`, { method: 'POST', headers: { ...admin, 'content-type': 'application/sparql-update' }, body: `INSERT DATA { GRAPH <http://ex.org/fair> { ${rows} } }` });
    expect(seed.status).toBe(200);
    // the abusive client (a token) floods the endpoint with a query that cannot finish soon (200^4 rows)
    const heavy = `${srv.url}/sparql?timeout=60000&default-graph-uri=${encodeURIComponent('http://ex.org/fair')}&query=${encodeURIComponent('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }')}`;
    const answers: Array<{ status: number; retryAfter: string | null; body: string }> = [];
    const flood = Array.from({ length: 10 }, () => fetch(heavy, { headers: admin }).then(async (r) => {
      answers.push({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() });
    }, () => undefined));
    // one runs, four wait, five are refused at once
    while (answers.length < 5) await new Promise((r) => setTimeout(r, 20));
    for (const a of answers) {
      expect(a.status, a.body).toBe(429);
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(a.body)).toMatchObject({ title: 'Too Many Requests', detail: expect.stringMatching(/its share/) });
    }
    // another client (anonymous, by address) is answered while the abuser's queries still run
    const simple = await fetch(`${srv.url}/sparql?query=${encodeURIComponent('SELECT * WHERE { ?s ?p ?o } LIMIT 1')}`, { headers: { accept: 'application/sparql-results+json' } });
    expect(simple.status).toBe(200);
    expect((await simple.json()).head.vars.sort()).toEqual(['o', 'p', 's']);
    expect(answers.length).toBe(5);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/^syndb_sparql_refused_total\{status="429"\} 5$/m);
    expect(metrics).toMatch(/^syndb_http_requests_total\{method="GET",route="\/sparql",status="429"\} 5$/m);
    expect(metrics).toMatch(/^syndb_sparql_running 1$/m);
    expect(metrics).toMatch(/^syndb_sparql_queue_depth 4$/m);
    void flood; // the rest end when the server stops
  });
});
