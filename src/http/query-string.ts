/** The raw query string of a request, for routers that parse it themselves. */
import type { Request } from 'express';

/**
 * Everything after the first `?` of the request URL (RFC 3986 §3.4: a later `?` is an ordinary
 * character of the query, as in `?query=SELECT ?s …`), for URLSearchParams: repeated parameters
 * stay separate and `+` reads as a space (application/x-www-form-urlencoded, which the SPARQL
 * Protocol's GET uses). req.query would merge repeated parameters into arrays or objects.
 */
export function queryString(req: Request): string {
  const u = req.originalUrl;
  const at = u.indexOf('?');
  return at < 0 ? '' : u.slice(at + 1);
}
