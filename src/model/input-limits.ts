/**
 * Count and depth limits on an uploaded description, checked before the expensive steps
 * (conversion, skolemisation, SHACL), so that no body can keep a worker (or the main thread) busy
 * for long: blank-node canonicalisation grows about cubically with nesting depth, and SHACL
 * validation linearly with the number of values, at several KB and tens of µs each.
 *
 * The values come from the service configuration (src/service/config.ts, SYNDB_MAX_INPUT_*); the
 * error names the setting so that an operator knows what to raise.
 */
import type { Quad } from '../util/rdf.js';
import { NS } from './namespaces.js';
import { InputError } from './problems.js';

export interface InputLimits {
  /** Triples in one upload (after conversion), SYNDB_MAX_INPUT_TRIPLES. */
  maxTriples: number;
  /** Nesting depth: JSON objects/arrays, blank nodes inside blank nodes, SYNDB_MAX_INPUT_DEPTH. */
  maxDepth: number;
  /** Items in one JSON array, keys in one object, values of one property of one node, SYNDB_MAX_INPUT_ITEMS. */
  maxItems: number;
  /** Characters in one string (JSON string, literal, IRI), SYNDB_MAX_INPUT_STRING. */
  maxString: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxTriples: 50_000, maxDepth: 16, maxItems: 10_000, maxString: 262_144 };

export const LIMIT_SETTING: Record<keyof InputLimits, string> = {
  maxTriples: 'SYNDB_MAX_INPUT_TRIPLES',
  maxDepth: 'SYNDB_MAX_INPUT_DEPTH',
  maxItems: 'SYNDB_MAX_INPUT_ITEMS',
  maxString: 'SYNDB_MAX_INPUT_STRING',
};

/** An upload over one of the limits: 413 (too many / too long) or 400 (too deeply nested). */
export class InputLimitError extends InputError {
  readonly setting: string;
  constructor(readonly limit: keyof InputLimits, readonly max: number, readonly path: string, readonly what: string) {
    const setting = LIMIT_SETTING[limit];
    super('Input limit exceeded', [{ path, severity: 'Violation', message: `${what}; the limit is ${max} (${setting})` }], limit === 'maxDepth' ? 400 : 413);
    this.setting = setting;
  }
}

/** Walk parsed JSON (iteratively: no recursion on hostile depth) and check depth, items and strings. */
export function checkJsonLimits(value: unknown, limits: InputLimits): void {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: '$' }];
  let leaves = 0;
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) {
      // every value becomes at least one triple
      if (++leaves > limits.maxTriples) throw new InputLimitError('maxTriples', limits.maxTriples, path, `the JSON has more than ${limits.maxTriples} values (each becomes at least one triple)`);
    }
    if (typeof v === 'string') {
      if (v.length > limits.maxString) throw new InputLimitError('maxString', limits.maxString, path, `a string of ${v.length} characters`);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limits.maxDepth) throw new InputLimitError('maxDepth', limits.maxDepth, path, `the JSON nests deeper than ${limits.maxDepth} levels`);
    if (Array.isArray(v)) {
      if (v.length > limits.maxItems) throw new InputLimitError('maxItems', limits.maxItems, path, `an array of ${v.length} items`);
      for (let i = 0; i < v.length; i++) stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
    } else {
      const keys = Object.keys(v);
      if (keys.length > limits.maxItems) throw new InputLimitError('maxItems', limits.maxItems, path, `an object with ${keys.length} keys`);
      for (const k of keys) {
        if (k.length > limits.maxString) throw new InputLimitError('maxString', limits.maxString, path, `a key of ${k.length} characters`);
        stack.push({ v: (v as Record<string, unknown>)[k], depth: depth + 1, path: path === '$' ? k : `${path}.${k}` });
      }
    }
  }
}

const RDF_REST = `${NS.rdf}rest`;

/**
 * Check parsed triples: their number, string lengths, values per (node, property), and how deeply
 * blank nodes nest (a blank node that is the object of a triple about a blank node is one level
 * deeper; list cells (rdf:rest) stay on their list's level, so long lists are fine).
 */
export function checkQuadLimits(quads: Quad[], limits: InputLimits): void {
  checkBlankNodeDepth(quads, limits);
  if (quads.length > limits.maxTriples) throw new InputLimitError('maxTriples', limits.maxTriples, '$', `the upload has ${quads.length} triples`);
  const perProperty = new Map<string, number>();
  for (const q of quads) {
    for (const t of [q.subject, q.predicate, q.object]) {
      if (t.value.length > limits.maxString) throw new InputLimitError('maxString', limits.maxString, `<${q.predicate.value}>`, `a term of ${t.value.length} characters`);
    }
    const k = `${q.subject.termType}\u0000${q.subject.value}\u0000${q.predicate.value}`;
    const n = (perProperty.get(k) ?? 0) + 1;
    if (n > limits.maxItems) throw new InputLimitError('maxItems', limits.maxItems, `<${q.predicate.value}>`, `node ${q.subject.termType === 'BlankNode' ? '_:' : ''}${q.subject.value.slice(0, 200)} has more than ${limits.maxItems} values of <${q.predicate.value}>`);
    perProperty.set(k, n);
  }
}

/** How deeply blank nodes nest (see checkQuadLimits), computed without recursion. */
function checkBlankNodeDepth(quads: Quad[], limits: InputLimits): void {
  const children = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const q of quads) {
    if (q.subject.termType === 'BlankNode' && q.object.termType === 'BlankNode') {
      const list = children.get(q.subject.value) ?? [];
      list.push(q.predicate.value === RDF_REST ? `=${q.object.value}` : q.object.value);
      children.set(q.subject.value, list);
      hasParent.add(q.object.value);
    }
  }
  if (!children.size) return;
  // longest chain of blank nodes, iteratively; a node is expanded again only when reached at a
  // deeper level (so at most maxDepth times; a cycle of labelled blank nodes ends at the limit)
  const depthOf = new Map<string, number>();
  const roots = [...children.keys()].filter((b) => !hasParent.has(b));
  if (!roots.length) roots.push(children.keys().next().value as string);
  const stack: Array<[string, number]> = roots.map((r) => [r, 1]);
  while (stack.length) {
    const [b, d] = stack.pop()!;
    if (d > limits.maxDepth) throw new InputLimitError('maxDepth', limits.maxDepth, '$', `blank nodes nest deeper than ${limits.maxDepth} levels`);
    if ((depthOf.get(b) ?? 0) >= d) continue;
    depthOf.set(b, d);
    for (const c of children.get(b) ?? []) stack.push(c.startsWith('=') ? [c.slice(1), d] : [c, d + 1]);
  }
}
