/**
 * The SPARQL the remote server is sent: queries parsed (with the store's own limits) so that they
 * can be written back in the dialect the server answers right, and large VALUES blocks split.
 */
import { StoreError } from '../graph-store.js';
import type { Query } from 'sparqljs';
import { parseQuery, parseQueryAsync, splitLeadingValues, SparqlSyntaxError, SparqlLimitError, type SparqlLimits } from '../../sparql/index.js';

/** Terms of one VALUES block sent to the server (see splitValues). */
export const VALUES_MAX = 2000;

/** Limits for queries this store is given (the endpoint has applied the configured ones already). */
const STORE_LIMITS: SparqlLimits = { maxLength: Infinity, maxDepth: 256, maxTriplePatterns: Infinity, maxValuesRows: Infinity, maxPathElements: Infinity };

const badQuery = (e: unknown) => (e instanceof SparqlSyntaxError || e instanceof SparqlLimitError ? new StoreError(`the query is not valid SPARQL 1.1: ${e.message}`, 'bad-query') : e);

/** Parse a query for the dialect rewrites; a bad query is a StoreError 'bad-query'. */
function parseForServer(q: string, base?: string): Query {
  try {
    return parseQuery(q, { base, limits: STORE_LIMITS }).tree;
  } catch (e) {
    throw badQuery(e);
  }
}

/** The same, long texts parsed off the main thread. */
export async function parseForServerAsync(q: string, base?: string): Promise<Query> {
  try {
    return (await parseQueryAsync(q, { base, limits: STORE_LIMITS, wait: true })).tree;
  } catch (e) {
    throw badQuery(e);
  }
}

/**
 * A SELECT whose WHERE group starts with a VALUES block of more than `max` rows, as queries of at
 * most `max` rows each (undefined when splitting could change the answer, or the block is small).
 * Virtuoso 7.2 refuses a VALUES block of about 5,000 terms ("Too many arguments for standard
 * built-in function in operator()"). See splitLeadingValues (src/sparql/rewrite.ts).
 */
export function splitValues(q: string, max: number): string[] | undefined {
  return splitLeadingValues(parseForServer(q), max);
}
