/**
 * 405 Method Not Allowed and OPTIONS for every path, derived from the routes registered on the
 * application's routers (no list per path to keep up to date): the methods of the routes whose
 * pattern matches the path. Routes registered for every method (`router.all`, which answer
 * themselves) and filter routes with a wildcard (`/datasets/:id/*rest`, which pass on what they
 * do not handle) name no resource and do not count, so a path only they match stays a 404.
 */
import type { Application, NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem.js';

interface RouteLike { methods: Record<string, boolean> }
interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: LayerLike[] };
  match(path: string): false | { path: string; pattern: unknown };
}

function collect(stack: readonly LayerLike[], path: string, out: Set<string>) {
  for (const layer of stack) {
    const m = layer.match(path);
    if (!m) continue;
    if (layer.route) {
      if (layer.route.methods._all || (typeof m.pattern === 'string' && m.pattern.includes('*'))) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) if (on) out.add(method.toUpperCase());
    } else if (layer.handle?.stack) {
      // a router mounted at a prefix sees the path without it
      collect(layer.handle.stack, path.slice(m.path.length) || '/', out);
    }
  }
}

/** The methods the app's routes accept at this path (HEAD with GET, OPTIONS with any); empty when no route names it. */
export function allowedMethods(app: Application, path: string): string[] {
  const found = new Set<string>();
  const stack = (app as unknown as { router: { stack: LayerLike[] } }).router.stack;
  collect(stack, path, found);
  if (found.size === 0) return [];
  if (found.has('GET')) found.add('HEAD');
  found.add('OPTIONS');
  return [...found].sort();
}

/** OPTIONS on a known path: 204 with Allow (before the routers, whose own OPTIONS answers would list only their routes). */
export function optionsResponder(app: Application) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'OPTIONS') return next();
    const allow = allowedMethods(app, req.path);
    if (!allow.length) return next();
    res.setHeader('Allow', allow.join(', '));
    res.status(204).end();
  };
}

/** After every router: a method the path does not support is 405 with Allow; a path no route names stays 404. */
export function methodNotAllowed(app: Application) {
  return (req: Request, res: Response, next: NextFunction) => {
    const allow = allowedMethods(app, req.path);
    if (!allow.length || allow.includes(req.method)) return next();
    res.setHeader('Allow', allow.join(', '));
    sendProblem(res, 405, 'Method Not Allowed', `${req.method} is not supported on ${req.path}; use ${allow.join(', ')}`, { allow });
  };
}

/** One route of the application: its express path pattern and method (lower case, as express keeps them). */
export interface RouteEntry { path: string; method: string }

function walk(stack: readonly LayerLike[], out: RouteEntry[]) {
  for (const layer of stack) {
    const route = layer.route as (RouteLike & { path?: string | string[] }) | undefined;
    if (route) {
      const paths = Array.isArray(route.path) ? route.path : [route.path ?? ''];
      for (const [method, on] of Object.entries(route.methods)) if (on) for (const p of paths) out.push({ path: p, method });
    } else if (layer.handle?.stack) {
      // every router of the app is mounted at "/" (a prefix would be missing from the paths here)
      const m = layer.match('/a-probe-path');
      if (!m || m.path !== '') throw new Error('routeTable: a router is mounted at a path prefix; its routes cannot be listed with their full paths');
      walk(layer.handle.stack, out);
    }
  }
}

/**
 * Every route the application registers (the same route table allowedMethods reads), with
 * `_all` for routes that answer every method (they answer 405 themselves).
 */
export function routeTable(app: Application): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, out);
  return out;
}
