/** Start the HTTP server on a service context; resolves with a handle to stop it. */
import type { Server } from 'node:http';
import type { ServiceContext } from '../service/context.js';
import { createApp } from './app.js';
import { jsonLog, type Logger } from '../util/json-log.js';

export async function startServer(ctx: ServiceContext, log: Logger = jsonLog): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const app = createApp(ctx, log);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(ctx.config.port, ctx.config.host, () => resolve(s));
    s.on('error', reject);
  });
  server.requestTimeout = 10 * 60_000;
  // an idle keep-alive connection stays open longer than the usual proxy idle timeout (60 s), so a
  // proxy or client never sends a request on a socket the server is closing at that moment
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
  const url = `http://${ctx.config.host}:${port}`;
  log({ level: 'info', msg: 'listening', url, store: ctx.config.store, dataDir: ctx.config.dataDir });
  return {
    server, url,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
