/**
 * /health (alive: answers without touching the store), /health/ready (the store's replicas are
 * serving or being rebuilt, writes can be made durable, disk space is above the floor) and
 * /metrics (Prometheus text format). `observe` is the request-timing middleware feeding /metrics.
 */
import { statfs } from 'node:fs/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import type { FairShare } from './fair-share.js';
import { sendProblem } from './problem.js';
import { CollectedCounter, Counter, Gauge, Histogram, PROMETHEUS_TEXT, Registry } from '../util/prometheus.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The route pattern a request matched (bounded label values), or "unmatched". */
function routeOf(req: Request, res: Response): string {
  if (typeof res.locals.route === 'string') return res.locals.route === '/sparql/' ? '/sparql' : res.locals.route;
  const p = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof p === 'string') return `${req.baseUrl}${p}`;
  if (Array.isArray(p)) return `${req.baseUrl}${String(p[0])}`;
  if (p instanceof RegExp) return `${req.baseUrl}${p.source}`;
  return 'unmatched';
}

export interface Observability {
  /** Middleware: times every request into the histogram (mount first). */
  observe: (req: Request, res: Response, next: NextFunction) => void;
  router: Router;
  registry: Registry;
}

export function observability(ctx: ServiceContext, share: FairShare): Observability {
  const registry = new Registry();
  const requests = registry.add(new Counter('syndb_http_requests_total', 'HTTP requests answered, by method, route pattern and status code.'));
  const latency = registry.add(new Histogram('syndb_http_request_duration_seconds', 'Time from request to the end of the response, by method and route pattern.', LATENCY_BUCKETS));
  const store = () => ctx.store.health();
  const counter = (name: string, help: string, key: keyof ReturnType<typeof store>['counters']) =>
    registry.add(new CollectedCounter(name, help, () => [[{}, store().counters[key]]]));
  counter('syndb_store_queries_total', 'Queries run by the store.', 'queries');
  counter('syndb_store_query_timeouts_total', 'Queries stopped at their timeout.', 'timeouts');
  counter('syndb_store_engine_failures_total', 'Requests that made a query engine fail (it is rebuilt).', 'engineFailures');
  counter('syndb_store_replica_rebuilds_total', 'Query engine replicas rebuilt after a failure or timeout.', 'rebuilds');
  counter('syndb_store_queries_refused_total', 'Queries refused because the same query broke query engines before.', 'refused');
  registry.add(new Gauge('syndb_store_replicas', 'Query engine replicas by state.', () => {
    const by = new Map<string, number>([['serving', 0], ['loading', 0], ['waiting', 0], ['failed', 0]]);
    for (const r of store().replicas) by.set(r.state, (by.get(r.state) ?? 0) + 1);
    return [...by].map(([state, n]) => [{ state }, n]);
  }));
  registry.add(new Gauge('syndb_store_queue_depth', 'Store requests waiting for a free query engine.', () => [[{}, store().queueDepth]]));
  registry.add(new Gauge('syndb_store_journal_bytes', 'Bytes of journal not yet folded into a snapshot (0 for an external store).', () => [[{}, store().journalBytes ?? 0]]));
  registry.add(new Gauge('syndb_store_ready', '1 when the store is ready (see /health/ready).', () => [[{}, store().ready ? 1 : 0]]));
  registry.add(new Gauge('syndb_sparql_queue_depth', 'SPARQL requests waiting for their fair share.', () => [[{}, share.queueDepth]]));
  registry.add(new Gauge('syndb_sparql_running', 'SPARQL requests running.', () => [[{}, share.runningCount]]));
  registry.add(new CollectedCounter('syndb_sparql_refused_total', 'SPARQL requests refused by the fair share (429: client over its share, 503: server queue full).', () => [
    [{ status: '429' }, share.refusals[429]],
    [{ status: '503' }, share.refusals[503]],
  ]));

  const observe = (req: Request, res: Response, next: NextFunction) => {
    const t0 = process.hrtime.bigint();
    res.once('close', () => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const route = routeOf(req, res);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      latency.observe({ method: req.method, route }, s);
    });
    next();
  };

  const router = Router();
  router.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const h = ctx.store.health();
    const floor = ctx.config.minFreeBytes;
    const paths = [...new Set([h.dataDir, ctx.config.dataDir].filter((p): p is string => typeof p === 'string'))];
    const disk = await Promise.all(paths.map(async (path) => {
      try {
        const s = await statfs(path);
        const freeBytes = Number(s.bavail) * Number(s.bsize);
        return { path, freeBytes, minFreeBytes: floor, ok: freeBytes >= floor };
      } catch (e) {
        return { path, freeBytes: null, minFreeBytes: floor, ok: false, error: (e as Error).message };
      }
    }));
    const problems = [...h.problems];
    if (!h.readOnly && !h.writable && !problems.some((p) => /writ/.test(p))) problems.push('writes cannot be made durable');
    for (const d of disk) {
      if (!d.ok) problems.push(d.freeBytes === null ? `cannot read the free space of ${d.path}: ${d.error}` : `${d.path} has ${d.freeBytes} bytes free, below the floor of ${floor} (SYNDB_MIN_FREE_BYTES)`);
    }
    // DOI work waiting for DataCite is shown, never a reason to be unready: a publish does not wait for it
    const dc = ctx.dois?.status();
    const checks = {
      store: { replicas: h.replicas, writable: h.writable, readOnly: h.readOnly, journalBytes: h.journalBytes ?? null, queueDepth: h.queueDepth },
      disk,
      datacite: dc ? { configured: true, url: dc.url, prefix: dc.prefix, pending: dc.pending, failing: dc.failing, lastSuccessAt: dc.lastSuccessAt ?? null, lastError: dc.lastError ?? null, tasks: dc.tasks.slice(0, 20) } : { configured: false },
    };
    res.set('Cache-Control', 'no-store');
    if (problems.length === 0 && h.ready) return res.json({ status: 'ready', ...checks });
    res.setHeader('Retry-After', '5');
    sendProblem(res, 503, 'Not Ready', `the service cannot take all requests now: ${problems.join('; ') || 'the store is not ready'}`, { problems, ...checks });
  });
  router.get('/metrics', (_req, res) => {
    res.set('Cache-Control', 'no-store').type(PROMETHEUS_TEXT).send(registry.render());
  });
  return { observe, router, registry };
}
