/**
 * Size and shape limits of a SPARQL request, checked before any engine (or the parser) sees it.
 *
 * Two stages. `checkText` runs on the raw text in one linear pass: the length, and the nesting
 * depth of brackets — `(`, `{`, `[` — outside strings, IRIs and comments. It must run before the
 * parser: sparqljs is quadratic on deep nesting (measured: 2,000 nested parentheses parse in
 * 266 ms, 20,000 in about 400 s), and Oxigraph's WebAssembly engine traps ("memory access out of
 * bounds") on about 100 nested parentheses, which leaves that engine instance unusable.
 * `checkTree` runs on the syntax tree: the depth of nested expressions, patterns and paths (an
 * operator chain `1+1+1…` nests without brackets; a few hundred links overflow the engine's
 * stack), the number of triple patterns, of VALUES rows, and the size of each property path.
 */
import type { SparqlQuery } from 'sparqljs';

export interface SparqlLimits {
  /** Longest request text, characters (SYNDB_SPARQL_MAX_LENGTH). */
  maxLength: number;
  /** Deepest nesting of brackets, groups, expressions and paths (SYNDB_SPARQL_MAX_DEPTH). */
  maxDepth: number;
  /** Most triple patterns in WHERE clauses and templates; INSERT DATA / DELETE DATA do not count (SYNDB_SPARQL_MAX_TRIPLE_PATTERNS). */
  maxTriplePatterns: number;
  /** Most rows of all VALUES blocks together (SYNDB_SPARQL_MAX_VALUES_ROWS). */
  maxValuesRows: number;
  /** Most elements (IRIs and operators) in one property path (SYNDB_SPARQL_MAX_PATH). */
  maxPathElements: number;
}

export const DEFAULT_SPARQL_LIMITS: SparqlLimits = {
  maxLength: 1024 * 1024,
  maxDepth: 64,
  maxTriplePatterns: 2000,
  maxValuesRows: 10_000,
  maxPathElements: 100,
};

/** The environment variable that sets each limit (named in every refusal). */
export const LIMIT_SETTINGS: Record<keyof SparqlLimits, string> = {
  maxLength: 'SYNDB_SPARQL_MAX_LENGTH',
  maxDepth: 'SYNDB_SPARQL_MAX_DEPTH',
  maxTriplePatterns: 'SYNDB_SPARQL_MAX_TRIPLE_PATTERNS',
  maxValuesRows: 'SYNDB_SPARQL_MAX_VALUES_ROWS',
  maxPathElements: 'SYNDB_SPARQL_MAX_PATH',
};

const LIMIT_NAMES: Record<keyof SparqlLimits, string> = {
  maxLength: 'length (characters)',
  maxDepth: 'nesting depth',
  maxTriplePatterns: 'number of triple patterns',
  maxValuesRows: 'number of VALUES rows',
  maxPathElements: 'property path size (IRIs and operators in one path)',
};

/** What to do about each limit (for the problem response). */
const LIMIT_HINTS: Record<keyof SparqlLimits, string> = {
  maxLength: 'send large data with the Graph Store Protocol (/store) or in several requests',
  maxDepth: 'brackets, nested groups and every link of an operator chain (a || b || …) count; write long alternatives as IN (…) and flatten nested groups',
  maxTriplePatterns: 'split the request into smaller ones',
  maxValuesRows: 'send the VALUES rows in several requests',
  maxPathElements: 'shorten the property path or split it with intermediate variables',
};

/** A request over one of the limits; the message names the limit, the value and the maximum. */
export class SparqlLimitError extends Error {
  readonly setting: string;
  readonly hint: string;
  constructor(readonly limit: keyof SparqlLimits, readonly value: number, readonly max: number) {
    super(`${LIMIT_NAMES[limit]} ${value} exceeds the limit of ${max} (${LIMIT_SETTINGS[limit]})`);
    this.name = 'SparqlLimitError';
    this.setting = LIMIT_SETTINGS[limit];
    this.hint = LIMIT_HINTS[limit];
  }
}

/** Characters that cannot occur in an IRIREF (SPARQL 1.1 grammar [139]); '\' starts a \u escape. */
const NOT_IN_IRI = new Set(['<', '>', '"', '{', '}', '|', '^', '`']);

/**
 * One linear pass over the text (never throws): the deepest bracket nesting — `(`, `{`, `[` outside
 * strings, IRIs and comments — and where IRIs with `\u` / `\U` escapes are. `<` starts an IRI only
 * when an IRIREF follows (else it is the less-than operator), so `#` inside `<http://ex.org/g#a>`
 * is not a comment.
 */
export function scanText(text: string): { depth: number; escapedIris: Array<[number, number]> } {
  let depth = 0, max = 0;
  const escapedIris: Array<[number, number]> = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const long = text.startsWith(c + c + c, i);
      i += long ? 3 : 1;
      while (i < n) {
        const d = text[i];
        if (d === '\\') { i += 2; continue; }
        if (long ? text.startsWith(c + c + c, i) : d === c) { i += long ? 3 : 1; break; }
        if (!long && (d === '\n' || d === '\r')) break;
        i++;
      }
      continue;
    }
    if (c === '<') {
      let j = i + 1, escaped = false;
      while (j < n && text.charCodeAt(j) > 0x20 && !NOT_IN_IRI.has(text[j])) { if (text[j] === '\\') escaped = true; j++; }
      if (j < n && text[j] === '>') {
        if (escaped) escapedIris.push([i, j + 1]);
        i = j + 1;
      } else i++;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') {
      if (++depth > max) max = depth;
    } else if (c === ')' || c === '}' || c === ']') {
      if (depth > 0) depth--;
    }
    i++;
  }
  return { depth: max, escapedIris };
}

/** The deepest bracket nesting of the text (see scanText). */
export function nestingDepth(text: string): number {
  return scanText(text).depth;
}

/**
 * Length and bracket depth of the raw text; throws SparqlLimitError. Run before parsing. Returns
 * the text with `\u` escapes in IRIs decoded (SPARQL allows them there; sparqljs does not read them).
 */
export function checkText(text: string, limits: SparqlLimits): string {
  if (text.length > limits.maxLength) throw new SparqlLimitError('maxLength', text.length, limits.maxLength);
  const { depth, escapedIris } = scanText(text);
  if (depth > limits.maxDepth) throw new SparqlLimitError('maxDepth', depth, limits.maxDepth);
  if (!escapedIris.length) return text;
  let out = '', last = 0;
  for (const [a, b] of escapedIris) {
    out += text.slice(last, a) + text.slice(a, b).replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, (_m, x: string | undefined, y: string | undefined) => String.fromCodePoint(parseInt(x ?? y!, 16)));
    last = b;
  }
  return out + text.slice(last);
}

export interface TreeMeasures {
  depth: number;
  triplePatterns: number;
  valuesRows: number;
  /** Elements of the largest property path. */
  pathElements: number;
}

/** Objects that open a level of nesting in the tree (patterns, expressions, paths, subqueries). */
const NESTING = new Set(['group', 'optional', 'union', 'minus', 'graph', 'service', 'filter', 'bind', 'operation', 'functionCall', 'aggregate', 'path', 'query']);

/** Count IRIs and operators of one property path (iteratively). */
function pathSize(p: unknown): number {
  let n = 0;
  const stack: unknown[] = [p];
  while (stack.length) {
    const x = stack.pop() as { type?: string; items?: unknown[] } | undefined;
    if (!x || typeof x !== 'object') continue;
    n++;
    if (x.type === 'path' && Array.isArray(x.items)) for (const it of x.items) stack.push(it);
  }
  return n;
}

/**
 * Depth, triple patterns, VALUES rows and the largest path of a syntax tree. Iterative (a tree
 * from a long operator chain is thousands of levels deep). Ground data of INSERT DATA /
 * DELETE DATA is not counted as triple patterns: its size is bounded by the length limit.
 */
export function measureTree(tree: SparqlQuery): TreeMeasures {
  const m: TreeMeasures = { depth: 0, triplePatterns: 0, valuesRows: 0, pathElements: 0 };
  const stack: Array<[unknown, number]> = [[tree, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (Array.isArray(x)) {
      for (const v of x) if (v && typeof v === 'object') stack.push([v, d]);
      continue;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.termType === 'string' && o.termType !== 'Quad') continue; // an RDF term: a leaf
    const type = o.type as string | undefined;
    const depth = type && NESTING.has(type) ? d + 1 : d;
    if (depth > m.depth) m.depth = depth;
    if (type === 'path') {
      m.pathElements = Math.max(m.pathElements, pathSize(o));
      continue; // a path holds only IRIs and nested paths (measured by pathSize; its nesting by brackets)
    }
    if (o.updateType === 'insert' || o.updateType === 'delete') continue; // ground data
    if (type === 'bgp' && Array.isArray(o.triples)) m.triplePatterns += o.triples.length;
    if (type === 'values' && Array.isArray(o.values)) m.valuesRows += o.values.length;
    if (o.queryType && Array.isArray(o.values)) m.valuesRows += o.values.length; // trailing VALUES of a query
    if (o.queryType === 'CONSTRUCT' && Array.isArray(o.template)) m.triplePatterns += o.template.length;
    if ((o.updateType === 'insertdelete' || o.updateType === 'deletewhere')) {
      for (const q of [...((o.insert as Array<{ triples?: unknown[] }>) ?? []), ...((o.delete as Array<{ triples?: unknown[] }>) ?? [])]) m.triplePatterns += q.triples?.length ?? 0;
      if (o.where) stack.push([o.where, depth]);
      continue;
    }
    for (const [k, v] of Object.entries(o)) {
      if (k === 'prefixes' || !v || typeof v !== 'object') continue;
      stack.push([v, depth]);
    }
  }
  return m;
}

/** The tree's measures against the limits; throws SparqlLimitError. */
export function checkTree(tree: SparqlQuery, limits: SparqlLimits): TreeMeasures {
  const m = measureTree(tree);
  if (m.depth > limits.maxDepth) throw new SparqlLimitError('maxDepth', m.depth, limits.maxDepth);
  if (m.triplePatterns > limits.maxTriplePatterns) throw new SparqlLimitError('maxTriplePatterns', m.triplePatterns, limits.maxTriplePatterns);
  if (m.valuesRows > limits.maxValuesRows) throw new SparqlLimitError('maxValuesRows', m.valuesRows, limits.maxValuesRows);
  if (m.pathElements > limits.maxPathElements) throw new SparqlLimitError('maxPathElements', m.pathElements, limits.maxPathElements);
  return m;
}
