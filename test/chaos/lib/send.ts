/** One HTTP request with a hard deadline: a hang is reported as such, not as a slow test. */
import { request } from 'node:http';

export interface Sent { status: number; body: string; ms: number; hang?: boolean; error?: string; headers: Record<string, string | string[] | undefined> }

export function send(base: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string | Buffer; token?: string; timeoutMs?: number; maxBody?: number } = {}): Promise<Sent> {
  const t0 = performance.now();
  const url = new URL(base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolvePromise) => {
    let settled = false;
    const done = (s: Omit<Sent, 'ms'>) => { if (!settled) { settled = true; resolvePromise({ ...s, ms: performance.now() - t0 }); } };
    const req = request({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // a hostile answer may be huge: keep the first maxBody bytes (1 MB unless told)
      const keep = opts.maxBody ?? 1_000_000;
      res.on('data', (c: Buffer) => { if (size < keep) chunks.push(c); size += c.length; });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', (e) => done({ status: res.statusCode ?? 0, body: '', error: e.message, headers: res.headers }));
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => { req.destroy(); done({ status: 0, body: '', hang: true, headers: {} }); });
    req.on('error', (e) => done({ status: 0, body: '', error: e.message, headers: {} }));
    req.end(body);
  });
}

/** Run `tasks` with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}
