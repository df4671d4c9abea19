/**
 * The SPARQL parser thread (parse-off-thread.ts): parses long requests and checks their tree
 * limits, answering each job with the tree and its measures, or which limit or syntax rule it broke.
 */
import { parentPort } from 'node:worker_threads';
import { parseSparql, SparqlSyntaxError, type ParseOptions } from './parse.js';
import { SparqlLimitError } from './limits.js';

export interface ParseJob { id: number; text: string; opts: ParseOptions }

const port = parentPort;
if (!port) throw new Error('parse-worker must run in a worker thread');

port.on('message', (job: ParseJob) => {
  try {
    const r = parseSparql(job.text, job.opts);
    port.postMessage({ id: job.id, tree: r.tree, measures: r.measures });
  } catch (e) {
    if (e instanceof SparqlLimitError) port.postMessage({ id: job.id, limit: { limit: e.limit, value: e.value, max: e.max } });
    else if (e instanceof SparqlSyntaxError) port.postMessage({ id: job.id, syntax: { message: e.message, position: e.position } });
    else port.postMessage({ id: job.id, other: String((e as Error)?.stack ?? e) });
  }
});
