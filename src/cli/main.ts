/**
 * `syndb` — the command line (INTERFACE.md "CLI"). Exit codes: 0 success, 1 invalid input
 * (with the readable report), 2 usage error.
 */
import { parseArgs } from 'node:util';
import { readFileSync, existsSync } from 'node:fs';
import { extname } from 'node:path';
import { configFromEnv } from '../service/config.js';
import { openContext, type ServiceContext } from '../service/context.js';
import { loadExamples } from '../service/examples.js';
import { checkDataset } from '../service/datasets.js';
import { Iris } from '../model/iris.js';
import { loadOntology } from '../model/ontology.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { loadShapes } from '../shacl/validator.js';
import { InputError } from '../model/problems.js';
import { formatProblems } from './report.js';
import { Progress } from './progress.js';
import { TokenRegistry, ROLES, type Role } from '../service/tokens.js';
import { serializeGraph } from '../publish/rdf-formats.js';
import { parseRdf } from '../util/rdf.js';
import { FORMAT_MEDIA } from '../http/negotiate.js';
import { parseQueryAsync } from '../sparql/index.js';
import { restoreStore } from '../store/open-store.js';
import type { InputFormat } from '../model/parse-input.js';
import { datasetCitation, renderCitation, citationFormatFromParam } from '../publish/citation/index.js';
import { datasetDois } from '../publish/dois.js';

const USAGE = `usage: syndb <command> [options]

  serve                         start the HTTP server (PORT, HOST, SYNDB_DATA_DIR, SYNDB_EXAMPLES=1 loads examples/ into an empty store)
  validate FILE...              check dataset descriptions (.json, .jsonld, .ttl) without storing them
  ingest FILE... [--publish]    validate and store datasets (each as a draft; --publish releases version 1)
  export ID [--format F] [--version N]   print a dataset: ttl (default), nt, jsonld, rdf
  cite ID [--format F] [--version N] [--style S] [--locale L]   bibtex (default), biblatex, ris, csl, bibliography
  search [TEXT] [--region R] [--species S] [--method M] [--modality electron|light|x-ray] [--gene G] [--compartment C] [--tag T] [--collection C] [--publication DOI] [--creator NAME] [--identifier ID] [--and FACET] [--sort S] [--format json] [--facets] [--all]
                                find datasets (as GET /datasets; a region includes its sub-regions; repeat a facet for OR, "!v" excludes)
  table upload DATASET COMPARTMENT FILE.csv   validate and store a compartment table in the dataset's draft (progress bar)
  import cave FILE --dataset ID --table NAME [--materialization-version N] [--timestamp ISO] [--resolution x,y,z]
  import connectome FILE --dataset ID            a connectome matrix CSV (axon classes x target types -> synapse counts)
  import dendritic TABLE.csv... --dataset ID     Dendritic Consortium metadata tables (mouse.csv, session.csv, ...)
  query 'SPARQL' [--format F]   run a query as an administrator (srj, srx, csv, tsv, ttl, nt, ...)
  token create --name N [--role R]       create an API token (roles: ${ROLES.join(', ')}; default contributor)
  backup FILE                   write every graph as N-Quads (FILE.gz: gzip)
  restore FILE                  replace the store's content with a backup (server stopped)
  store verify [--data-dir D] [--json]   check snapshots, journals and checksums; exit 1 on any problem
  store repair [--data-dir D] [--drop-after]   remove journal damage (server stopped), keeping every intact
                                record (--drop-after: none after the damage) and a copy of what it replaces

The store is the one of SYNDB_DATA_DIR (default ./data); commands that write need the server stopped.`;

class UsageError extends Error {}

const formatOf = (file: string): InputFormat => {
  const e = extname(file).toLowerCase();
  if (e === '.json') return 'json';
  if (e === '.jsonld') return 'jsonld';
  if (e === '.ttl') return 'turtle';
  throw new UsageError(`${file}: unknown file type "${e}"; use .json, .jsonld or .ttl`);
};
const readInput = (file: string) => {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  return readFileSync(file, 'utf8');
};
const ADMIN = { user: process.env.USER ? `cli:${process.env.USER}` : 'cli', role: 'admin' as const };

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve': return await serve();
      case 'validate': return await validateCmd(rest);
      case 'ingest': return await ingestCmd(rest);
      case 'export': return await exportCmd(rest);
      case 'cite': return await citeCmd(rest);
      case 'query': return await queryCmd(rest);
      case 'search': return await (await import('../search/cli.js')).searchCmd(rest);
      case 'token': return tokenCmd(rest);
      case 'backup': return await backupCmd(rest);
      case 'restore': return await restoreCmd(rest);
      case 'store': return await (await import('./store-commands.js')).storeCmd(rest);
      case 'table': return await (await import('./table-commands.js')).tableCmd(rest);
      case 'import': return await (await import('./table-commands.js')).importCmd(rest);
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(`${USAGE}\n`); return cmd ? 0 : 2;
      default: throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || /UsageError$/.test((e as Error).name ?? '') || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`syndb: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof InputError) { process.stderr.write(`${formatProblems(e.problems, e.title)}\n`); return 1; }
    const err = e as Error & { code?: string };
    process.stderr.write(`syndb: ${err.message}\n`);
    return err.name === 'StoreError' || err.name === 'NotFoundError' || err.name === 'ConflictError' ? 1 : 1;
  }
}

async function serve(): Promise<number> {
  const config = configFromEnv();
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg })}\n`);
  const ctx = await openContext(config, { log, jsonLog: (o) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...o })}\n`) });
  if (config.examples && ctx.catalog.entries.size === 0) await loadExamples(ctx, log);
  const { startServer } = await import('../http/server.js');
  const srv = await startServer(ctx);
  await new Promise<void>((resolve) => {
    const stop = async (sig: string) => {
      log(`${sig}: shutting down`);
      await srv.stop();
      await ctx.close();
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
  return 0;
}

async function validateCmd(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (!positionals.length) throw new UsageError('validate needs at least one FILE');
  const config = configFromEnv();
  const deps = { iris: new Iris(config.baseIri), vocabulary: await loadVocabulary(), ontology: loadOntology(), shapes: await loadShapes() };
  let bad = 0;
  for (const f of positionals) {
    try {
      const r = await checkDataset(deps, readInput(f), formatOf(f));
      const violations = r.problems.filter((p) => p.severity === 'Violation');
      if (violations.length) { bad++; process.stdout.write(`${formatProblems(r.problems, f)}\n`); }
      else process.stdout.write(`${f}: valid (${r.quads.length} triples, dataset "${r.parsed.id}")${r.problems.length ? `\n${formatProblems(r.problems)}` : ''}\n`);
    } catch (e) {
      if (e instanceof InputError) { bad++; process.stdout.write(`${formatProblems(e.problems, `${f}: ${e.title}`)}\n`); } else throw e;
    }
  }
  return bad ? 1 : 0;
}

async function withContext<T>(fn: (ctx: ServiceContext) => Promise<T>, readOnly = false): Promise<T> {
  const ctx = await openContext(configFromEnv(), { readOnly });
  try { return await fn(ctx); } finally { await ctx.close(); }
}

async function ingestCmd(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { publish: { type: 'boolean' }, notes: { type: 'string' } } });
  if (!positionals.length) throw new UsageError('ingest needs at least one FILE');
  return withContext(async (ctx) => {
    const bar = new Progress('ingest', positionals.length);
    let bad = 0;
    for (const [i, f] of positionals.entries()) {
      try {
        const r = await ctx.datasets.create(readInput(f), formatOf(f), ADMIN, { publish: values.publish, notes: values.notes });
        bar.done(`${f}: stored as ${ctx.iris.concept(r.id)}${r.version ? ` (version ${r.version})` : ' (draft)'}`);
      } catch (e) {
        if (e instanceof InputError) { bad++; bar.done(formatProblems(e.problems, `${f}: ${e.title}; nothing stored`)); }
        else if ((e as Error).name === 'ConflictError') { bad++; bar.done(`${f}: ${(e as Error).message}`); }
        else throw e;
      }
      bar.update(i + 1, 'files');
    }
    return bad ? 1 : 0;
  });
}

async function exportCmd(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'ttl' }, version: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('export needs one dataset ID');
  const media = FORMAT_MEDIA[values.format!];
  if (!media || !['text/turtle', 'application/n-triples', 'application/ld+json', 'application/rdf+xml', 'application/n-quads'].includes(media)) throw new UsageError(`--format ${values.format}: use ttl, nt, nq, jsonld or rdf`);
  return withContext(async (ctx) => {
    const v = values.version !== undefined ? Number(values.version) : undefined;
    const t = ctx.datasets.graphFor(positionals[0], ADMIN, v);
    const quads = parseRdf(await ctx.store.dumpGraph(t.graph), 'application/n-quads');
    process.stdout.write(await serializeGraph(quads, media));
    return 0;
  }, true);
}

async function citeCmd(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'bibtex' }, version: { type: 'string' }, style: { type: 'string' }, locale: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('cite needs one dataset ID');
  const format = citationFormatFromParam(values.format);
  if (!format) throw new UsageError(`--format ${values.format}: use bibtex, biblatex, ris, csl or bibliography`);
  return withContext(async (ctx) => {
    const v = values.version !== undefined ? Number(values.version) : undefined;
    const t = ctx.datasets.graphFor(positionals[0], ADMIN, v);
    const quads = parseRdf(await ctx.store.dumpGraph(t.graph), 'application/n-quads');
    const doi = t.version !== undefined ? (await datasetDois(ctx.store, ctx.iris.concept(positionals[0]))).versions[t.version] : undefined;
    const out = renderCitation([datasetCitation(quads, t.subject, { publisher: ctx.config.publisher, doi })], { format, style: values.style, locale: values.locale });
    process.stdout.write(out.body.endsWith('\n') ? out.body : `${out.body}\n`);
    return 0;
  }, true);
}

async function queryCmd(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError("query needs one SPARQL string: syndb query 'SELECT * WHERE { ?s ?p ?o } LIMIT 10'");
  // limits and syntax first (an error names the limit or the position; nothing is opened)
  const config = configFromEnv();
  const form = (await parseQueryAsync(positionals[0], { base: `${config.baseIri}/`, limits: config.sparqlLimits })).tree.queryType;
  return withContext(async (ctx) => {
    const media = values.format ? FORMAT_MEDIA[values.format] ?? values.format : form === 'SELECT' || form === 'ASK' ? 'text/tab-separated-values' : 'application/n-triples';
    const r = await ctx.store.query(positionals[0], { format: media, defaultGraph: ctx.catalog.defaultGraphs(ADMIN), namedGraphs: ctx.catalog.namedGraphs(ADMIN), baseIri: `${ctx.iris.base}/` });
    process.stdout.write(r.body.endsWith('\n') ? r.body : `${r.body}\n`);
    return 0;
  }, true);
}

function tokenCmd(args: string[]): number {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError('token: the subcommand is "create"');
  const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, role: { type: 'string', default: 'contributor' } } });
  if (!values.name) throw new UsageError('token create needs --name NAME');
  if (!ROLES.includes(values.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const token = new TokenRegistry(configFromEnv().dataDir).create(values.name, values.role as Role);
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token for "${values.name}" (${values.role}) created; it is shown only once. Use: Authorization: Bearer <token>\n`);
  return 0;
}

async function backupCmd(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('backup needs one FILE');
  return withContext(async (ctx) => {
    await ctx.store.backup(positionals[0]);
    const s = await ctx.store.stats();
    process.stderr.write(`backup written to ${positionals[0]}: ${s.quads} quads in ${s.graphs} graphs\n`);
    return 0;
  }, true);
}

async function restoreCmd(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('restore needs one FILE');
  if (!existsSync(positionals[0])) throw new UsageError(`${positionals[0]}: no such file`);
  await restoreStore(configFromEnv().dataDir, positionals[0]);
  process.stderr.write(`restored ${positionals[0]} into ${configFromEnv().dataDir}\n`);
  return 0;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').slice(-3).join('/'));
if (invokedDirectly) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
