/**
 * `syndb` — the command line (INTERFACE.md "CLI"; README "Command line"), built on commander.
 * Without --server / SYNDB_URL the commands work on the local data directory (SYNDB_DATA_DIR,
 * or the syndb.env configuration file the server reads too); with it, the commands that have a
 * client form talk to that server (src/cli/client-commands.ts). Exit codes: src/cli/exit-codes.ts.
 */
import { readFileSync, existsSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { applyConfigFile, configFromEnv } from '../service/config.js';
import type { ServiceContext } from '../service/context.js';
import { InputError } from '../model/problems.js';
import { formatProblems } from './report.js';
import { Progress } from './progress.js';
import { TokenRegistry } from '../service/tokens.js';
import { ROLES, type Role } from '../model/caller.js';
import { FORMAT_MEDIA } from '../http/negotiate.js';
import type { InputFormat } from '../model/parse-input.js';
// the store, shapes, vocabularies and serialisers load only for the commands that use them
const openContext = async (...a: Parameters<typeof import('../service/context.js').openContext>) => (await import('../service/context.js')).openContext(...a);
import { projectPath } from '../util/paths.js';
import { FACETS } from '../search/query.js';
import { EXIT } from './exit-codes.js';
import { Client, ConnectError, ServerRefusal, formatRefusal } from './http-client.js';
import * as remote from './client-commands.js';
import { envString } from '../util/env.js';
import { jsonLog } from '../util/json-log.js';
import { ADMIN } from './admin-caller.js';
import { UsageError } from './usage-error.js';
import type { ImportKind, ImportOptions } from './table-commands.js';


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

// ------------------------------------------------------------------------------ local commands

async function serve(): Promise<number> {
  const config = configFromEnv();
  const log = (msg: string) => jsonLog({ level: 'info', msg });
  if (config.configFile) log(`configuration file: ${config.configFile}`);
  const ctx = await openContext(config, { log, jsonLog });
  const { loadExamples } = await import('../service/examples.js');
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

async function validateLocal(files: string[]): Promise<number> {
  const config = configFromEnv();
  const [{ checkDataset }, { Iris }, { loadOntology }, { loadVocabulary }, { loadShapes }] = await Promise.all([
    import('../service/datasets.js'), import('../model/iris.js'), import('../model/ontology.js'), import('../model/vocabulary.js'), import('../shacl/shapes.js')]);
  const deps = { iris: new Iris(config.baseIri), vocabulary: await loadVocabulary(), ontology: loadOntology(), shapes: await loadShapes() };
  let bad = 0;
  for (const f of files) {
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

async function ingestLocal(files: string[], o: { publish?: boolean; notes?: string }): Promise<number> {
  return withContext(async (ctx) => {
    const bar = new Progress('ingest', { total: files.length, unit: 'files', plainEveryMs: 0 });
    let bad = 0;
    for (const [i, f] of files.entries()) {
      try {
        const r = await ctx.datasets.create(readInput(f), formatOf(f), ADMIN, { publish: o.publish, notes: o.notes });
        bar.message(`${f}: stored as ${ctx.iris.concept(r.id)}${r.version ? ` (version ${r.version})` : ' (draft)'}`);
      } catch (e) {
        if (e instanceof InputError) { bad++; bar.message(formatProblems(e.problems, `${f}: ${e.title}; nothing stored`)); }
        else if ((e as Error).name === 'ConflictError') { bad++; bar.message(`${f}: ${(e as Error).message}`); }
        else throw e;
      }
      bar.set(i + 1);
    }
    return bad ? 1 : 0;
  });
}

const versionNumber = (v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--version ${v}: a version number (1, 2, …)`);
  return n;
};

async function exportLocal(id: string, o: { format: string; version?: string }): Promise<number> {
  const media = FORMAT_MEDIA[o.format];
  if (!media || !['text/turtle', 'application/n-triples', 'application/ld+json', 'application/rdf+xml', 'application/n-quads'].includes(media)) throw new UsageError(`--format ${o.format}: use ttl, nt, nq, jsonld or rdf (with --server also bibtex, ris, csl, datacite, …)`);
  const v = versionNumber(o.version);
  const [{ parseRdf }, { serializeGraph }] = await Promise.all([import('../util/rdf.js'), import('../publish/rdf-formats.js')]);
  return withContext(async (ctx) => {
    const t = ctx.datasets.graphFor(id, ADMIN, v);
    const quads = parseRdf(await ctx.store.dumpGraph(t.graph), 'application/n-quads');
    process.stdout.write(await serializeGraph(quads, media));
    return 0;
  }, true);
}

async function citeLocal(id: string, o: { format: string; version?: string; style?: string; locale?: string }): Promise<number> {
  const [{ parseRdf }, { datasetCitation, renderCitation, citationFormatFromParam }] = await Promise.all([import('../util/rdf.js'), import('../publish/citation/index.js')]);
  const format = citationFormatFromParam(o.format);
  if (!format) throw new UsageError(`--format ${o.format}: use bibtex, biblatex, ris, csl or bibliography`);
  const v = versionNumber(o.version);
  return withContext(async (ctx) => {
    const t = ctx.datasets.graphFor(id, ADMIN, v);
    const quads = parseRdf(await ctx.store.dumpGraph(t.graph), 'application/n-quads');
    const { datasetDois } = await import('../publish/dois.js');
    const doi = t.version !== undefined ? (await datasetDois(ctx.store, ctx.iris.concept(id))).versions[t.version] : undefined;
    const out = renderCitation([datasetCitation(quads, t.subject, { publisher: ctx.config.publisher, doi })], { format, style: o.style, locale: o.locale });
    process.stdout.write(out.body.endsWith('\n') ? out.body : `${out.body}\n`);
    return 0;
  }, true);
}

async function queryLocal(text: string, o: { format?: string }): Promise<number> {
  // limits and syntax first (an error names the limit or the position; nothing is opened)
  const config = configFromEnv();
  const { parseQueryAsync } = await import('../sparql/index.js');
  const form = (await parseQueryAsync(text, { base: `${config.baseIri}/`, limits: config.sparqlLimits })).tree.queryType;
  return withContext(async (ctx) => {
    const media = o.format ? FORMAT_MEDIA[o.format] ?? o.format : form === 'SELECT' || form === 'ASK' ? 'text/tab-separated-values' : 'application/n-triples';
    const r = await ctx.store.query(text, { format: media, defaultGraph: ctx.catalog.defaultGraphs(ADMIN), namedGraphs: ctx.catalog.namedGraphs(ADMIN), baseIri: `${ctx.iris.base}/` });
    process.stdout.write(r.body.endsWith('\n') ? r.body : `${r.body}\n`);
    return 0;
  }, true);
}

function tokenCreate(o: { name?: string; role: string }): number {
  if (!o.name) throw new UsageError('token create needs --name NAME');
  if (!ROLES.includes(o.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const config = configFromEnv();
  const token = new TokenRegistry(config.dataDir).create(o.name, o.role as Role);
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token for "${o.name}" (${o.role}) created in ${config.dataDir}/tokens.json${config.configFile ? ` (data directory from ${config.configFile})` : envString('SYNDB_DATA_DIR') ? ' (SYNDB_DATA_DIR)' : ''}; it is shown only once. Use: Authorization: Bearer <token>\n`);
  return 0;
}

async function backupLocal(file: string): Promise<number> {
  return withContext(async (ctx) => {
    await ctx.store.backup(file);
    const s = await ctx.store.stats();
    process.stderr.write(`backup written to ${file}: ${s.quads} quads in ${s.graphs} graphs\n`);
    return 0;
  }, true);
}

async function restoreLocal(file: string): Promise<number> {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const { restoreStore } = await import('../store/open-store.js');
  await restoreStore(configFromEnv().dataDir, file);
  process.stderr.write(`restored ${file} into ${configFromEnv().dataDir}\n`);
  return 0;
}

// ------------------------------------------------------------------------------ the program

const collect = (v: string, prev: string[] = []) => [...prev, v];

function packageVersion(): string {
  try { return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version; } catch { return 'unknown'; }
}

/** --server and --token on a command (also accepted before the command name). */
function clientOptions(c: Command): Command {
  return c.addOption(new Option('--server <url>', 'a running SynDB Graph server to talk to (default: the local data directory)').env('SYNDB_URL'))
    .addOption(new Option('--token <token>', 'bearer token for the server (see "syndb token create")').env('SYNDB_TOKEN'));
}

interface State { code: number; argv: string[] }

function build(state: State): Command {
  const program = new Command('syndb');
  program
    .description('SynDB Graph: datasets, tables and SPARQL of a connectomics knowledge graph, on the local data directory or (--server / SYNDB_URL) a running server')
    .version(packageVersion(), '-V, --version', 'print the version')
    .usage('[--server URL] [--token T] <command> [options]')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true)
    .helpCommand('help [command]', 'help on a command')
    .addHelpText('after', `
Without --server / SYNDB_URL the commands use the store of SYNDB_DATA_DIR (default ./data, or the
syndb.env configuration file); commands that write need the server stopped. With it, they go to the
server over HTTP (token: --token / SYNDB_TOKEN). Exit codes: 0 done, 1 refused (invalid input, or the
server said no), 2 usage error, 3 cannot connect, 4 not authorised (401/403), 5 server error.`);
  clientOptions(program);

  /** The client for this command, or undefined (local mode). */
  const clientOf = (cmd: Command): Client | undefined => {
    const o = { ...program.opts(), ...Object.fromEntries(Object.entries(cmd.optsWithGlobals()).filter(([, v]) => v !== undefined)) } as { server?: string; token?: string };
    return o.server ? new Client({ server: o.server, token: o.token }) : undefined;
  };
  const needServer = (cmd: Command): Client => {
    const c = clientOf(cmd);
    if (!c) throw new UsageError(`"${cmd.parent?.name() === 'syndb' ? '' : `${cmd.parent?.name()} `}${cmd.name()}" talks to a server: give --server URL or set SYNDB_URL (and a token: --token or SYNDB_TOKEN)`);
    return c;
  };
  const run = (fn: (...a: never[]) => Promise<number> | number) => async (...a: unknown[]) => { state.code = await (fn as (...x: unknown[]) => Promise<number> | number)(...a); };
  const cmd = (parent: Command, spec: string, description: string) => clientOptions(parent.command(spec).description(description));

  cmd(program, 'serve', 'start the HTTP server (PORT, HOST, SYNDB_DATA_DIR, SYNDB_EXAMPLES=1 loads examples/ into an empty store)')
    .action(run(() => serve()));

  cmd(program, 'validate', 'check dataset descriptions (.json, .jsonld, .ttl) without storing them (with --server: a dry run on the server)')
    .argument('<files...>', 'dataset descriptions')
    .option('--dataset <id>', 'with --server: check them as a new description of this existing dataset (dry run of PUT)')
    .option('--json', "print the server's JSON reply")
    .action(run((files: string[], o: { dataset?: string; json?: boolean }, c: Command) => {
      const client = clientOf(c);
      return client ? remote.datasetValidate(client, files, o) : validateLocal(files);
    }));

  cmd(program, 'ingest', 'validate and store datasets, each as a draft (with --server: create them there)')
    .argument('<files...>', 'dataset descriptions')
    .option('--publish', 'publish each as version 1')
    .option('--notes <text>', 'release notes (with --publish)')
    .action(run(async (files: string[], o: { publish?: boolean; notes?: string }, c: Command) => {
      const client = clientOf(c);
      if (!client) return ingestLocal(files, o);
      for (const f of files) await remote.datasetCreate(client, f, { publish: o.publish });
      return EXIT.ok;
    }));

  cmd(program, 'export', 'print a dataset: ttl (default), nt, nq, jsonld, rdf; with --server also bibtex, ris, csl, datacite, … (by Accept)')
    .argument('<id>', 'dataset id')
    .option('--format <f>', 'output format', 'ttl')
    .option('--version <n>', 'a published version (default: the latest, else the draft)')
    .option('--profile <p>', 'with --server: schema, dcat or syndb (the full graph)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(run((id: string, o: { format: string; version?: string; profile?: string; output?: string }, c: Command) => {
      const client = clientOf(c);
      return client ? remote.exportDataset(client, id, o) : exportLocal(id, o);
    }));

  cmd(program, 'cite', 'print a citation: bibtex (default), biblatex, ris, csl, bibliography')
    .argument('<id>', 'dataset id')
    .option('--format <f>', 'citation format', 'bibtex')
    .option('--version <n>', 'a published version')
    .option('--style <s>', 'CSL style of --format bibliography (e.g. apa)')
    .option('--locale <l>', 'locale of --format bibliography (e.g. en-US)')
    .action(run((id: string, o: { format: string; version?: string; style?: string; locale?: string }, c: Command) => {
      const client = clientOf(c);
      return client ? remote.citeDataset(client, id, o) : citeLocal(id, o);
    }));

  cmd(program, 'query', 'run a SPARQL query (locally as an administrator; with --server as your token may)')
    .argument('[sparql]', 'the query (or --file)')
    .option('--file <file>', 'read the query from a file')
    .option('--format <f>', 'csv, tsv, json (SPARQL JSON results), xml; ttl, nt, jsonld, … for CONSTRUCT/DESCRIBE')
    .option('-o, --output <file>', 'with --server: write to a file instead of stdout')
    .action(run((text: string | undefined, o: { file?: string; format?: string; output?: string }, c: Command) => {
      if (o.file) text = readInput(o.file);
      if (!text) throw new UsageError("query needs one SPARQL string: syndb query 'SELECT * WHERE { ?s ?p ?o } LIMIT 10' (or --file query.rq)");
      const client = clientOf(c);
      if (client) return remote.query(client, text, o);
      return queryLocal(text, { format: o.format === 'json' ? 'srj' : o.format === 'xml' ? 'srx' : o.format });
    }));

  const s = cmd(program, 'search', 'find datasets, as GET /datasets does (a region includes its sub-regions; repeat a facet for OR, "!v" excludes)')
    .argument('[text...]', 'free text')
    .option('--q <text>', 'free text', collect)
    .option('--and <facet>', 'combine the values of this facet with AND', collect)
    .option('--sort <s>', 'relevance, title, newest, oldest, id')
    .option('--page <n>', 'page number')
    .option('--page-size <n>', 'results per page (default 50)')
    .option('--format <f>', 'text (default) or json')
    .option('--facets', 'also print the facet counts')
    .option('--all', 'locally: every dataset, also private ones (as an administrator)');
  for (const f of FACETS) s.option(`--${f} <value>`, `filter by ${f}`, collect);
  s.action(run((text: string[], o: Record<string, unknown>, c: Command) => {
    const client = clientOf(c);
    if (client) return remote.search(client, { ...o, text });
    return import('./search-command.js').then((m) => m.searchCmd({ ...o, text }));
  }));

  const dataset = program.command('dataset').description('datasets on a server (--server / SYNDB_URL): create, edit, patch, validate, publish, withdraw, delete, list');
  cmd(dataset, 'create', 'create a dataset draft from a description (POST /datasets)')
    .argument('<file>', '.json, .jsonld or .ttl ("-": JSON from stdin)')
    .option('--id <id>', 'the dataset id (default: from the description, else from its title)')
    .option('--publish', 'publish it as version 1 at once')
    .option('--dry-run', 'check everything, store nothing')
    .option('--json', "print the server's JSON reply")
    .action(run((file: string, o: { id?: string; publish?: boolean; dryRun?: boolean; json?: boolean }, c: Command) => remote.datasetCreate(needServer(c), file, o)));
  cmd(dataset, 'edit', "replace the draft's description (PUT /datasets/{id}); tables and assets stay")
    .argument('<id>').argument('<file>', '.json, .jsonld or .ttl')
    .option('--if-match <etag>', 'refuse (412) when the dataset changed since this ETag')
    .option('--dry-run', 'check everything, store nothing')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, file: string, o: { ifMatch?: string; dryRun?: boolean; json?: boolean }, c: Command) => remote.datasetEdit(needServer(c), id, file, o)));
  cmd(dataset, 'patch', 'change some fields (PATCH, JSON Merge Patch of the Dataset JSON; null removes)')
    .argument('<id>').argument('[file]', 'a JSON Merge Patch')
    .option('--set <field=value>', 'set a field (value as JSON if it parses, else text); repeatable', collect)
    .option('--unset <field>', 'remove a field; repeatable', collect)
    .option('--if-match <etag>', 'refuse (412) when the dataset changed since this ETag')
    .option('--dry-run', 'check everything, store nothing')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, file: string | undefined, o: { set?: string[]; unset?: string[]; ifMatch?: string; dryRun?: boolean; json?: boolean }, c: Command) => remote.datasetPatch(needServer(c), id, file, o)));
  cmd(dataset, 'validate', 'validate descriptions on the server without storing them (POST/PUT ?dryRun=true)')
    .argument('<files...>')
    .option('--dataset <id>', 'as a new description of this existing dataset')
    .option('--json', "print the server's JSON reply")
    .action(run((files: string[], o: { dataset?: string; json?: boolean }, c: Command) => remote.datasetValidate(needServer(c), files, o)));
  cmd(dataset, 'publish', 'publish the draft as the next immutable version')
    .argument('<id>')
    .option('--notes <text>', 'release notes')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, o: { notes?: string; json?: boolean }, c: Command) => remote.datasetPublish(needServer(c), id, o)));
  cmd(dataset, 'withdraw', 'withdraw a published version (default: the latest); it stays citable as a tombstone')
    .argument('<id>')
    .option('--version <n>', 'the version to withdraw')
    .requiredOption('--reason <text>', 'why (shown on the tombstone and in citations)')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, o: { version?: string; reason?: string; json?: boolean }, c: Command) => remote.datasetWithdraw(needServer(c), id, o)));
  cmd(dataset, 'delete', 'delete a dataset never published; a published one: withdraw every version, discard the draft')
    .argument('<id>')
    .option('--reason <text>', 'why (required when it has published versions: they are withdrawn)')
    .option('--if-match <etag>', 'refuse (412) when the dataset changed since this ETag')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, o: { reason?: string; ifMatch?: string; json?: boolean }, c: Command) => remote.datasetDelete(needServer(c), id, o)));
  cmd(dataset, 'list', 'the datasets you may see')
    .option('--json', "print the server's JSON reply")
    .action(run((o: { json?: boolean }, c: Command) => remote.datasetList(needServer(c), o)));

  const table = program.command('table').description('compartment tables: upload (local or --server, resumable), download, list');
  cmd(table, 'upload', "validate and store a compartment table in the dataset's draft (with --server: resumable, chunked)")
    .argument('<dataset>').argument('<compartment>', 'neuron, synapse, dendritic-spine, …').argument('<file>', 'the table as CSV')
    .option('--chunk-size <bytes>', 'with --server: bytes per request (e.g. 8M)', '8M')
    .option('--limit-rate <bytes>', 'with --server: send at most this many bytes per second (e.g. 2M)')
    .option('--triples', 'also load the rows as triples (refused when the store cannot hold them)')
    .option('--no-triples', 'keep the rows in Parquet only')
    .option('--json', "print the server's JSON reply")
    .action(run(async (id: string, compartment: string, file: string, o: { chunkSize: string; limitRate?: string; triples?: boolean; json?: boolean }, c: Command) => {
      const client = clientOf(c);
      const explicit = c.getOptionValueSource('triples') === 'cli' ? o.triples : undefined;
      if (client) return remote.tableUpload(client, id, compartment, file, { chunkSize: remote.parseBytes(o.chunkSize, '--chunk-size'), limitRate: o.limitRate ? remote.parseBytes(o.limitRate, '--limit-rate') : undefined, triples: explicit, json: o.json });
      return (await import('./table-commands.js')).tableUpload(id, compartment, file);
    }));
  cmd(table, 'download', 'download a table (CSV as uploaded, Parquet, or the CSVW metadata)')
    .argument('<dataset>').argument('<compartment>')
    .option('--format <f>', 'csv, parquet or csvw', 'csv')
    .option('--version <v>', 'a version number or "draft" (default: the latest)')
    .option('--columns <a,b>', 'only these columns')
    .option('-o, --output <file>', 'write to a file (with progress) instead of stdout')
    .action(run((id: string, compartment: string, o: { format: string; version?: string; columns?: string; output?: string }, c: Command) => remote.tableDownload(needServer(c), id, compartment, o)));
  cmd(table, 'list', "a dataset's tables, by version")
    .argument('<dataset>')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, o: { json?: boolean }, c: Command) => remote.tableList(needServer(c), id, o)));

  const asset = program.command('asset').description('meshes and SWC skeletons on a server');
  cmd(asset, 'upload', "attach a mesh (.glb, .ply, .obj) or SWC skeleton to the dataset's draft (multipart upload, progress)")
    .argument('<dataset>').argument('<file>')
    .option('--name <name>', 'the file name to store (default: the file\'s)')
    .option('--row <compartment/cid>', 'attach it to a row of a table')
    .option('--forest', 'accept an SWC file with several trees')
    .option('--swc-unit <u>', 'um or nm')
    .option('--type <media-type>', 'the media type (default: by extension)')
    .option('--json', "print the server's JSON reply")
    .action(run((id: string, file: string, o: { name?: string; row?: string; forest?: boolean; swcUnit?: string; type?: string; json?: boolean }, c: Command) => remote.assetUpload(needServer(c), id, file, o)));

  const imp = program.command('import').description('import source tables into a dataset\'s draft (local data directory)');
  const importer = (kind: ImportKind, description: string, extra: (c: Command) => Command = (c) => c) => extra(imp.command(kind).description(description))
    .argument('<files...>').requiredOption('--dataset <id>', 'the dataset')
    .action(run(async (files: string[], o: ImportOptions) => (await import('./table-commands.js')).importTables(kind, files, o)));
  importer('cave', 'a CAVE table export (synapses or nuclei) with its materialization', (c) => c
    .option('--table <name>', 'the CAVE table name').option('--materialization-version <n>', 'materialization version')
    .option('--timestamp <iso>', 'materialization time').option('--resolution <x,y,z>', 'nm per voxel'));
  importer('connectome', 'a connectome matrix CSV (axon classes x target types -> synapse counts)');
  importer('dendritic', 'Dendritic Consortium metadata tables (mouse.csv, session.csv, ...)');

  const token = program.command('token').description('API tokens (written to the data directory the server reads)');
  token.command('create').description('create an API token; it is printed once')
    .requiredOption('--name <name>', 'who it is for')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'contributor')
    .action(run((o: { name?: string; role: string }) => tokenCreate(o)));

  program.command('backup').description('write every graph as N-Quads (FILE.gz: gzip)').argument('<file>').action(run((f: string) => backupLocal(f)));
  program.command('restore').description("replace the store's content with a backup (server stopped)").argument('<file>').action(run((f: string) => restoreLocal(f)));

  const store = program.command('store').description('the embedded store\'s data directory');
  store.command('verify').description('check snapshots, journals and checksums; exit 1 on any problem')
    .option('--data-dir <dir>', 'the data directory (default: SYNDB_DATA_DIR)').option('--json', 'the report as JSON')
    .action(run(async (o: { dataDir?: string; json?: boolean }) => (await import('./store-commands.js')).storeVerify(o)));
  store.command('repair').description('remove journal damage (server stopped), keeping every intact record and a copy of what it replaces')
    .option('--data-dir <dir>', 'the data directory (default: SYNDB_DATA_DIR)').option('--drop-after', 'keep no record after the damage').option('--json', 'the result as JSON')
    .action(run(async (o: { dataDir?: string; dropAfter?: boolean; json?: boolean }) => (await import('./store-commands.js')).storeRepair(o)));
  return program;
}

/** The command an argument list names (for the usage line of an error). */
function commandOf(program: Command, argv: string[]): Command {
  let c = program;
  for (const a of argv) {
    if (a.startsWith('-')) continue;
    const sub = c.commands.find((x) => x.name() === a || x.aliases().includes(a));
    if (!sub) break;
    c = sub;
  }
  return c;
}

function usageLine(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  const path = names.join(' ');
  if (c.commands.length) return `usage: ${path} <command> — ${c.commands.filter((x) => x.name() !== 'help').map((x) => x.name()).join(', ')}; see "${path} --help"`;
  return `usage: ${path} ${c.usage()}; see "${path} --help"`;
}

const requote = (m: string) => m.replace(/^error: /, '').replace(/'([^']*)'/g, '"$1"');

export async function main(argv: string[]): Promise<number> {
  const state: State = { code: 0, argv };
  let program: Command | undefined;
  try {
    applyConfigFile();
    program = build(state);
    if (!argv.length) {
      process.stderr.write(`${program.helpInformation()}`);
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return state.code;
  } catch (e) {
    const c = program ? commandOf(program, argv) : undefined;
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version, help
      if (e.code === 'commander.help') { process.stderr.write(`syndb: "${c?.name()}" needs a command\n${c ? usageLine(c) : ''}\n`); return EXIT.usage; }
      process.stderr.write(`syndb: ${requote(e.message)}\n${c ? usageLine(c) : ''}\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`syndb: ${err.message}\n${c ? usageLine(c) : ''}\n`);
      return EXIT.usage;
    }
    if (e instanceof ServerRefusal) { process.stderr.write(`${formatRefusal(e)}\n`); return e.exitCode; }
    if (e instanceof ConnectError) {
      const hint = e.broken ? (state.argv.includes('upload') ? 'run the same command again: a table upload resumes where it stopped' : 'try again') : 'is the server running there? (--server / SYNDB_URL)';
      process.stderr.write(`syndb: ${e.message}\n  ${hint}\n`);
      return EXIT.connect;
    }
    if (e instanceof InputError) { process.stderr.write(`${formatProblems(e.problems, e.title)}\n`); return EXIT.refused; }
    process.stderr.write(`syndb: ${err.message}\n`);
    return EXIT.refused;
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').slice(-3).join('/'));
if (invokedDirectly) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
