/**
 * The project's one SPARQL parser: text → checked syntax tree.
 *
 * Parser: sparqljs (RubenVerborgh/SPARQL.js, used by Comunica): mature, complete SPARQL 1.1 Query
 * and Update grammar, RDF/JS terms in its tree, a generator that writes a tree back as text (the
 * external-store dialect needs that), TypeScript types. @traqula/parser-sparql-1-1 is its
 * successor by the same community and faster, but young and its tree is still changing; sparqljs is
 * the safer dependency today. Its one weakness — quadratic time on deep nesting — is covered by
 * the text checks in limits.ts, which always run first.
 *
 * Order: length → bracket depth (one linear pass) → sparqljs → tree limits. Every refusal is a
 * SparqlLimitError (names the limit) or a SparqlSyntaxError (with line and column).
 */
import sparqljs, { type Query, type SparqlQuery, type Update } from 'sparqljs';
import { checkText, checkTree, DEFAULT_SPARQL_LIMITS, type SparqlLimits, type TreeMeasures } from './limits.js';

export class SparqlSyntaxError extends Error {
  constructor(message: string, readonly position?: { line: number; column: number }) {
    super(message);
    this.name = 'SparqlSyntaxError';
  }
}

export interface ParseOptions {
  /** Base IRI for relative IRIs (a BASE in the text wins). */
  base?: string;
  /** Prefixes declared outside the text (SHACL-SPARQL's sh:prefixes). */
  prefixes?: Record<string, string>;
  limits?: SparqlLimits;
}

export type Parsed<T extends SparqlQuery = SparqlQuery> = { tree: T; measures: TreeMeasures };

/** sparqljs' messages are several lines ("Parse error on line 1:\n…\n---^\nExpecting …"); keep them short. */
function syntaxError(e: unknown, text: string): SparqlSyntaxError {
  const err = e as { message?: string; hash?: { loc?: { first_line: number; first_column: number }; token?: string } };
  const loc = err.hash?.loc;
  const raw = String(err.message ?? e);
  let message = raw.split('\n')[0];
  if (loc && /^Parse error/.test(message)) {
    const expecting = /Expecting (.*), got '([^']*)'/.exec(raw);
    const lineText = text.split(/\r\n|\r|\n/)[loc.first_line - 1] ?? '';
    const near = lineText.slice(Math.max(0, loc.first_column - 20), loc.first_column + 20);
    message = `syntax error at line ${loc.first_line}, column ${loc.first_column + 1}${near.trim() ? ` near "${near.trim()}"` : ''}`
      + (expecting ? `: unexpected ${expecting[2] === 'EOF' ? 'end of text' : expecting[2]}` : '');
  }
  return new SparqlSyntaxError(message, loc ? { line: loc.first_line, column: loc.first_column + 1 } : undefined);
}

/**
 * Parse a query or an update (whichever the text is) after the text limits, then check the tree
 * limits. Throws SparqlLimitError or SparqlSyntaxError; never hangs on hostile nesting.
 */
export function parseSparql(text: string, opts: ParseOptions = {}): Parsed {
  const limits = opts.limits ?? DEFAULT_SPARQL_LIMITS;
  const decoded = checkText(text, limits);
  let tree: SparqlQuery;
  try {
    const parser = new sparqljs.Parser({ baseIRI: opts.base, prefixes: opts.prefixes, sparqlStar: true });
    tree = parser.parse(decoded);
  } catch (e) {
    if (e instanceof RangeError) throw new SparqlSyntaxError('the text is too complex for the SPARQL parser (it ran out of stack); shorten long literals or split the request');
    throw syntaxError(e, text);
  }
  return { tree, measures: checkTree(tree, limits) };
}

/** A parsed request that must be a query (SELECT / ASK / CONSTRUCT / DESCRIBE). */
export function asQuery(p: Parsed): Parsed<Query> {
  if (p.tree.type !== 'query') throw new SparqlSyntaxError('the text is a SPARQL Update, not a query: send it as an update (POST, form field "update" or application/sparql-update)');
  return p as Parsed<Query>;
}

/** A parsed request that must be an update. */
export function asUpdate(p: Parsed): Parsed<Update> {
  if (p.tree.type !== 'update') throw new SparqlSyntaxError(`the text is a ${(p.tree as Query).queryType} query, not an update: send it as a query`);
  return p as Parsed<Update>;
}

/** Parse text that must be a query, on this thread (see parse-off-thread.ts for requests from outside). */
export function parseQuery(text: string, opts: ParseOptions = {}): Parsed<Query> {
  return asQuery(parseSparql(text, opts));
}

/** Parse text that must be an update, on this thread. */
export function parseUpdate(text: string, opts: ParseOptions = {}): Parsed<Update> {
  return asUpdate(parseSparql(text, opts));
}

/** A tree written back as SPARQL text (IRIs without \u escapes, prefixes as declared). */
export function serialize(tree: SparqlQuery): string {
  try {
    return new sparqljs.Generator({ sparqlStar: true }).stringify(tree);
  } catch (e) {
    if (e instanceof RangeError) throw new SparqlSyntaxError('the request is too deeply nested to be rewritten');
    throw e;
  }
}
