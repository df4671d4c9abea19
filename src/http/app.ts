/** The express application: thin routers over the service layer. */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { authenticate } from './auth.js';
import { searchRouter } from './search-router.js';
import { collectionsRouter } from './collections-router.js';
import { datasetsRouter } from './datasets-router.js';
import { fairRouter } from './fair-router.js';
import { sparqlRouter } from './sparql-router.js';
import { tablesRouter } from './tables-router.js';
import { uploadsRouter } from './uploads-router.js';
import { graphStoreRouter } from './graph-store-router.js';
import { provenanceRouter } from './provenance-router.js';
import { errorHandler, sendProblem } from './problem.js';
import { assetsRouter } from './assets-router.js';
import { page } from './html.js';
import { FairShare, fairShareMiddleware } from './fair-share.js';
import { observability } from './health-router.js';
import { methodNotAllowed, optionsResponder } from './allowed-methods.js';
import { openApiRouter } from './openapi-router.js';
import { picturesRouter } from './pictures-router.js';
import { schemasRouter } from './schemas-router.js';
import { jsonLog, type Logger } from '../util/json-log.js';


/** The caller's X-Request-Id when it is a plain token of at most 128 characters, else a new UUID. */
function requestId(given: string | undefined): string {
  return given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

export function createApp(ctx: ServiceContext, log: Logger = jsonLog) {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', false);
  const share = new FairShare(ctx.config.fairShare);
  const obs = observability(ctx, share);
  app.use(obs.observe);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const t0 = process.hrtime.bigint();
    const reqId = requestId(req.get('x-request-id'));
    res.setHeader('X-Request-Id', reqId);
    res.on('finish', () => log({ level: 'info', msg: 'request', reqId, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    req.setTimeout(10 * 60_000);
    next();
  });
  app.use(obs.router); // /health, /health/ready, /metrics: before authentication, never behind the fair share
  app.use(optionsResponder(app)); // OPTIONS: 204 with the Allow of every router's routes for the path
  app.use(authenticate(ctx.tokens));
  app.use(fairShareMiddleware(share));
  app.use(searchRouter(ctx), collectionsRouter(ctx)); // before the home page below and datasetsRouter: GET / and GET /datasets search
  app.get('/', (_req, res) => res.type('html').send(page('Home', `<h1>SynDB Graph</h1>
<p>A linked-data knowledge graph of connectomics datasets.</p>
<form action="/datasets" method="get"><label for="q">Search datasets</label> <input id="q" name="q" type="search"> <button>Search</button></form>
<ul><li><a href="/datasets">All datasets</a></li><li><a href="/sparql">SPARQL endpoint</a></li><li><a href="/api">API reference</a> (<a href="/openapi.json">OpenAPI</a>)</li></ul>`)));
  app.use(provenanceRouter(ctx)); // before datasetsRouter: ?version=n, 410 for withdrawn versions
  app.use(datasetsRouter(ctx));
  app.use(sparqlRouter(ctx));
  app.use(uploadsRouter(ctx)); // resumable table uploads, before tablesRouter
  app.use(picturesRouter(ctx)); // SVG pictures and the HTML table page, before tablesRouter
  app.use(tablesRouter(ctx));
  app.use(graphStoreRouter(ctx));
  app.use(fairRouter(ctx));
  app.use(assetsRouter(ctx));
  app.use(openApiRouter(ctx)); // /openapi.json and its rendering /api
  app.use(schemasRouter()); // /schemas/dataset.schema.json
  app.use(methodNotAllowed(app)); // a known path, another method: 405 with Allow
  app.use((req: Request, res: Response) => sendProblem(res, 404, 'Not Found', `no resource at ${req.path}`));
  app.use(errorHandler(log));
  return app;
}
