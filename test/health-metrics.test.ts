/**
 * Health tells the truth (issue 14, item 5): /health (alive, no store), /health/ready (replicas,
 * journal, disk floor; 503 with details otherwise) and /metrics in the Prometheus text format.
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
  dir = mkdtempSync(join(tmpdir(), 'syndb-health-'));
  ctx = await openContext(configFromEnv({ SYNDB_DATA_DIR: dir, PORT: '0' }));
  srv = await startServer(ctx, () => {});
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Family { type: string; help: string; samples: Array<{ name: string; labels: Record<string, string>; value: number }> }

/** Parse the Prometheus text exposition format strictly: every line is a comment or a well-formed sample of a declared family. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      const f = families.get(m[2]) ?? { type: '', help: '', samples: [] };
      if (m[1] === 'HELP') f.help = m[3];
      else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(m[3]);
        f.type = m[3];
      }
      families.set(m[2], f);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const [, name, , body, value] = m!;
    const labels: Record<string, string> = {};
    if (body) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let at = 0;
      while (at < body.length) {
        const l = re.exec(body);
        expect(l, `bad labels in ${line}`).not.toBeNull();
        labels[l![1]] = l![2];
        at = re.lastIndex;
      }
    }
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
    expect(family?.type, `sample ${name} before its # TYPE`).toBeTruthy();
    const v = value === '+Inf' ? Infinity : Number(value);
    expect(Number.isNaN(v)).toBe(false);
    family!.samples.push({ name, labels, value: v });
  }
  return families;
}

describe('/health', () => {
  it('answers 200 with no store work', async () => {
    const r = await fetch(`${srv.url}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });
});

describe('/health/ready', () => {
  it('reports every replica, the journal and the disk space', async () => {
    const r = await fetch(`${srv.url}/health/ready`);
    expect(r.status).toBe(200);
    const b = await r.json();
    expect(b.status).toBe('ready');
    expect(b.store.replicas.length).toBeGreaterThanOrEqual(1);
    for (const rep of b.store.replicas) expect(rep.state).toBe('serving');
    expect(b.store).toMatchObject({ writable: true, readOnly: false, queueDepth: 0 });
    expect(typeof b.store.journalBytes).toBe('number');
    expect(b.disk.length).toBeGreaterThanOrEqual(1);
    for (const d of b.disk) expect(d).toMatchObject({ ok: true, minFreeBytes: ctx.config.minFreeBytes, freeBytes: expect.any(Number) });
  });

  it('is 503 with the reason when free disk space is below the floor', async () => {
    const floor = ctx.config.minFreeBytes;
    ctx.config.minFreeBytes = Number.MAX_SAFE_INTEGER;
    try {
      const r = await fetch(`${srv.url}/health/ready`);
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      const p = await r.json();
      expect(p.title).toBe('Not Ready');
      expect(p.problems.join('\n')).toMatch(/below the floor of \d+ \(SYNDB_MIN_FREE_BYTES\)/);
      expect(p.disk[0].ok).toBe(false);
    } finally {
      ctx.config.minFreeBytes = floor;
    }
    expect((await fetch(`${srv.url}/health/ready`)).status).toBe(200);
  });
});

describe('/metrics', () => {
  it('is valid Prometheus text with requests and latencies by route, store counters, queue depth and journal size', async () => {
    const q = encodeURIComponent('SELECT * WHERE { ?s ?p ?o } LIMIT 1');
    for (let i = 0; i < 3; i++) expect((await fetch(`${srv.url}/sparql?query=${q}`)).status).toBe(200);
    expect((await fetch(`${srv.url}/no/such/thing`)).status).toBe(404);
    const r = await fetch(`${srv.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const f = parseExposition(await r.text());

    const req = f.get('syndb_http_requests_total')!;
    expect(req.type).toBe('counter');
    const sparql = req.samples.find((s) => s.labels.route === '/sparql' && s.labels.method === 'GET' && s.labels.status === '200');
    expect(sparql?.value).toBeGreaterThanOrEqual(3);
    expect(req.samples.find((s) => s.labels.route === 'unmatched' && s.labels.status === '404')?.value).toBeGreaterThanOrEqual(1);

    const lat = f.get('syndb_http_request_duration_seconds')!;
    expect(lat.type).toBe('histogram');
    const buckets = lat.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.route === '/sparql' && s.labels.method === 'GET');
    expect(buckets.length).toBeGreaterThan(2);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value); // cumulative
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    const cnt = lat.samples.find((s) => s.name.endsWith('_count') && s.labels.route === '/sparql' && s.labels.method === 'GET');
    expect(cnt?.value).toBe(buckets.at(-1)!.value);

    expect(f.get('syndb_store_queries_total')!.samples[0].value).toBeGreaterThanOrEqual(3);
    for (const name of ['syndb_store_query_timeouts_total', 'syndb_store_replica_rebuilds_total', 'syndb_store_engine_failures_total', 'syndb_store_queries_refused_total']) {
      expect(f.get(name)?.type, name).toBe('counter');
    }
    const replicas = f.get('syndb_store_replicas')!;
    expect(replicas.samples.find((s) => s.labels.state === 'serving')!.value).toBe(ctx.store.health().replicas.length);
    for (const name of ['syndb_store_queue_depth', 'syndb_sparql_queue_depth', 'syndb_sparql_running', 'syndb_store_journal_bytes', 'syndb_store_ready']) {
      expect(f.get(name)?.type, name).toBe('gauge');
    }
    expect(f.get('syndb_store_journal_bytes')!.samples[0].value).toBe(ctx.store.health().journalBytes);
    expect(f.get('syndb_store_ready')!.samples[0].value).toBe(1);
  });
});

describe('after the store closes', () => {
  it('/health still answers (it never touches the store) while /health/ready says why it is not ready', async () => {
    await ctx.store.close();
    expect((await fetch(`${srv.url}/health`)).status).toBe(200);
    const r = await fetch(`${srv.url}/health/ready`);
    expect(r.status).toBe(503);
    expect((await r.json()).problems).toContain('the store is closed');
  });
});
