/** Opens everything a server or CLI command needs: store, vocabularies, shapes, catalog. */
import { createHash } from 'node:crypto';
import type { GraphStore } from '../store/graph-store.js';
import { openStore } from '../store/open-store.js';
import { TableFiles } from '../store/tables/table-files.js';
import { Iris } from '../model/iris.js';
import { loadOntology } from '../model/ontology.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { loadShapes } from '../shacl/shapes.js';
import { toNQuads, df, lit, iri, type Quad } from '../util/rdf.js';
import { NS } from '../model/namespaces.js';
import { Catalog } from '../model/catalog.js';
import type { ReadContext } from '../model/read-context.js';
import { DatasetService } from './datasets.js';
import { OffThread } from './off-thread.js';
import { TokenRegistry } from './tokens.js';
import { CheckPool } from './check-pool.js';
import type { Config } from './config.js';
import { DoiRegistrar } from './doi-registrar.js';

/** Everything a server or CLI command works with; the layers below service/ get its ReadContext part. */
export interface ServiceContext extends ReadContext {
  config: Config;
  datasets: DatasetService;
  tokens: TokenRegistry;
  /** The content-addressed table files (Parquet, CSV) beside the graph. */
  tableFiles: TableFiles;
  /** Parsing and validation of large inputs off the main thread (off-thread.ts). */
  work: OffThread;
  /** DOIs at DataCite (when config.datacite is set; not for read-only commands). */
  dois?: DoiRegistrar;
  close(): Promise<void>;
}

export async function openContext(config: Config, opts: { readOnly?: boolean; log?: (msg: string) => void; jsonLog?: (o: Record<string, unknown>) => void } = {}): Promise<ServiceContext> {
  const log = opts.log ?? (() => {});
  // the store's warnings and events go to the service's structured log when it has one
  const jsonLog = opts.jsonLog;
  const logger = jsonLog ? { warn: (msg: string) => jsonLog({ level: 'warn', msg, component: 'store' }), event: (o: Record<string, unknown>) => jsonLog({ level: 'warn', component: 'store', ...o }) } : undefined;
  const store = await openStore(config, { readOnly: opts.readOnly, ...(logger ? { logger } : {}) });
  try {
    const iris = new Iris(config.baseIri);
    const [vocabulary, shapes] = await Promise.all([loadVocabulary(), loadShapes()]);
    const ontology = loadOntology();
    if (!opts.readOnly) await syncOntologyGraph(store, iris, ontology.quads, log);
    const catalog = new Catalog(iris);
    await catalog.load(store);
    // large uploads are parsed and validated in worker threads (none for read-only CLI commands)
    const pool = !opts.readOnly && config.parseWorkers > 0
      ? new CheckPool({ size: config.parseWorkers, baseIri: config.baseIri, limits: config.inputLimits, timeoutMs: config.parseTimeoutMs })
      : undefined;
    const work = new OffThread({ iris, vocabulary, ontology, shapes }, { inlineBytes: config.parseInlineBytes, limits: config.inputLimits }, pool);
    const datasets = new DatasetService({ store, iris, vocabulary, ontology, shapes, catalog, limits: config.inputLimits,
      checker: (body, format, o) => work.check(body, format, o), graphValidator: (q) => work.validateGraph(q) });
    const tokens = new TokenRegistry(config.dataDir, config.adminToken);
    const tableFiles = new TableFiles(config.tableDir, { memoryLimit: config.tableMemoryLimit, threads: config.tableThreads, sortedCopyMinRows: config.tableSortedCopyMinRows, log: opts.jsonLog });
    let dois: DoiRegistrar | undefined;
    if (config.datacite && !opts.readOnly) {
      dois = new DoiRegistrar({ store, iris, catalog, datasets, publisher: config.publisher, dataDir: config.dataDir }, config.datacite, undefined, opts.jsonLog);
      const registrar = dois;
      datasets.onChange((id) => registrar.enqueue(id));
      await registrar.start();
    }
    return { config, store, iris, datasets, catalog, tokens, tableFiles, work, dois, close: async () => { await dois?.close(); tableFiles.close(); await work.close(); await store.close(); } };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** Keep the ontology graph equal to ontologies/*.ttl (replaced when the files change). */
async function syncOntologyGraph(store: GraphStore, iris: Iris, quads: Quad[], log: (m: string) => void) {
  const g = iris.ontologyGraph;
  // The ontology's blank nodes (OWL lists, restrictions) get IRIs from the parser's labels: the
  // files are fixed, so the labels are stable, and the digest below changes when the files do.
  const sk = (t: Quad['subject'] | Quad['object']) => (t.termType === 'BlankNode' ? df.namedNode(`${g}/.well-known/genid/${t.value}`) : t);
  const body = toNQuads(quads.map((q) => df.quad(sk(q.subject) as Quad['subject'], q.predicate, sk(q.object) as Quad['object'], df.namedNode(g))));
  const digest = createHash('sha256').update(body).digest('hex');
  const marker = `${iris.systemGraph}`;
  const have = await store.select(`SELECT ?d WHERE { GRAPH <${marker}> { <${g}> <${NS.syndb}contentDigest> ?d } }`);
  if (have[0]?.d.value === digest) return;
  await store.transact([
    { op: 'clear', graph: g },
    { op: 'add', nquads: body },
    { op: 'delete', nquads: have.map((h) => `<${g}> <${NS.syndb}contentDigest> "${h.d.value}" <${marker}> .\n`).join('') },
    { op: 'add', nquads: toNQuads([df.quad(iri(g), iri(`${NS.syndb}contentDigest`), lit(digest), iri(marker))]) },
  ]);
  log(`ontology graph loaded: ${quads.length} triples`);
}
