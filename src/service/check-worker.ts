/**
 * Worker thread of service/check-pool.ts: parses, normalises, skolemises and validates uploads
 * (checkDataset) away from the main thread. Loads vocabularies, ontology and shapes once.
 *
 * In:  { job, body, format, id? }
 * Out: { job, ok: { parsed, nquads, report, problems } } | { job, error: SerializedError }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Iris } from '../model/iris.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { loadOntology } from '../model/ontology.js';
import { loadShapes } from '../shacl/validator.js';
import { toNQuads } from '../util/rdf.js';
import { checkDataset, type CheckDeps } from './datasets.js';
import { serializeCheckError, type CheckJob, type CheckReply } from './check-messages.js';

const { baseIri, limits } = workerData as { baseIri: string; limits: CheckDeps['limits'] };

const deps: Promise<CheckDeps> = (async () => {
  const [vocabulary, shapes] = await Promise.all([loadVocabulary(), loadShapes()]);
  return { iris: new Iris(baseIri), vocabulary, shapes, ontology: loadOntology(), limits };
})();

parentPort!.on('message', async (m: CheckJob) => {
  let reply: CheckReply;
  try {
    const r = await checkDataset(await deps, m.body, m.format, { id: m.id });
    reply = { job: m.job, ok: { parsed: { ...r.parsed, quads: [] }, nquads: toNQuads(r.quads), report: { conforms: r.report.conforms, results: r.report.results }, problems: r.problems } };
  } catch (e) {
    reply = { job: m.job, error: serializeCheckError(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ ready: true });
