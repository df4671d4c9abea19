/**
 * Worker thread of service/check-pool.ts: parses, normalises, skolemises and validates uploads
 * (checkDataset) away from the main thread. Loads vocabularies, ontology and shapes once.
 *
 * In:  CheckJob (check-messages.ts): a dataset upload, a Graph Store body, or a graph to validate
 * Out: { job, ok } | { job, error: SerializedError }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Iris } from '../model/iris.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { loadOntology } from '../model/ontology.js';
import { loadShapes } from '../shacl/shapes.js';
import { toNQuads, parseRdf } from '../util/rdf.js';
import type { ValidationReport } from '../shacl/results.js';
import { checkDataset, validateGraph, type CheckDeps } from './datasets.js';
import { parseGraphText } from './graph-body.js';
import { serializeCheckError, type CheckJob, type CheckReply } from './check-messages.js';

const { baseIri, limits } = workerData as { baseIri: string; limits: CheckDeps['limits'] };

const deps: Promise<CheckDeps> = (async () => {
  const [vocabulary, shapes] = await Promise.all([loadVocabulary(), loadShapes()]);
  return { iris: new Iris(baseIri), vocabulary, shapes, ontology: loadOntology(), limits };
})();

const plain = (r: ValidationReport): ValidationReport => ({ conforms: r.conforms, results: r.results });

parentPort!.on('message', async (m: CheckJob) => {
  let reply: CheckReply;
  try {
    const d = await deps;
    if (m.kind === 'check') {
      const r = await checkDataset(d, m.body, m.format, { id: m.id });
      reply = { job: m.job, ok: { kind: 'check', parsed: { ...r.parsed, quads: [] }, nquads: toNQuads(r.quads), report: plain(r.report), problems: r.problems } };
    } else if (m.kind === 'graph') {
      reply = { job: m.job, ok: { kind: 'graph', lines: parseGraphText(m.body, m.format, m.base, d.limits!) } };
    } else {
      reply = { job: m.job, ok: { kind: 'validate', report: plain(await validateGraph(d, parseRdf(m.nquads, 'application/n-quads'))) } };
    }
  } catch (e) {
    reply = { job: m.job, error: serializeCheckError(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true });
