/**
 * The OpenAPI 3.1 description of every route the application registers (served at /openapi.json,
 * rendered at /api). The document is data: one entry per path and method below, the media types
 * taken from the routers' own offer lists so the two cannot drift apart. test/openapi.test.ts
 * validates it and checks it against the express route table (walked like allowed-methods.ts does):
 * every registered route is described and nothing described is missing.
 */
import { CITATION_MEDIA_TYPES } from '../publish/citation/media-types.js';
import { RDF_MEDIA_TYPES } from '../publish/rdf-formats.js';
import { LINKSET_JSON } from '../publish/signposting.js';
import { FACETS } from '../search/query.js';
import { SELECT_TYPES, GRAPH_TYPES } from './sparql-router.js';
import { SD_MEDIA_TYPES } from './service-description.js';
import { GSP_INPUT_TYPES, OUTPUT_TYPES as GSP_OUTPUT } from './graph-store-router.js';
import { READ_TYPES } from './datasets-router.js';
import { CATALOG_TYPES, FAIR_READ_TYPES } from './fair-router.js';
import { CSVW_TYPE } from './tables-router.js';
import { datasetSchema } from '../model/dataset-schema.js';

type Json = Record<string, unknown>;
const PROBLEM = 'application/problem+json';
const COMPARTMENTS = ['neuron', 'dendrite', 'axon', 'pre-synaptic-terminal', 'synapse', 'dendritic-spine', 'endoplasmic-reticulum', 'nucleus', 'vesicle', 'mitochondrion'];
const CITATION_TYPES = CITATION_MEDIA_TYPES.map((m) => m.mediaType);
const DATASET_TYPES = [...READ_TYPES, ...FAIR_READ_TYPES, ...CITATION_TYPES]; // as datasets-router offers them

// ---- building blocks -------------------------------------------------------------------------
const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const text = { type: 'string' };
/** The same schema under each media type. */
const content = (types: readonly string[], schema: Json = text) => Object.fromEntries(types.map((t) => [t, { schema }]));
const ok = (description: string, types: readonly string[], schema?: Json, headers?: Json) => ({ description, content: content(types, schema), ...(headers ? { headers } : {}) });
const query = (name: string, description: string, schema: Json = text, extra: Json = {}) => ({ name, in: 'query', description, schema, ...extra });
const path = (name: string, description: string, schema: Json = text) => ({ name, in: 'path', required: true, description, schema });
const body = (description: string, types: readonly string[], schema: Json = text, required = true) => ({ description, required, content: content(types, schema) });
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), ref('responses', `P${c}`)]));
const WRITE = [{ bearer: [] }];
/** Validator and caching headers (src/http/caching.ts; README "HTTP caching"). */
const CACHING = {
  ETag: { description: 'strong entity tag; If-None-Match with it answers 304', schema: text },
  'Cache-Control': { description: '`public, max-age=31536000, immutable` for a published version\'s file named by its version; `no-cache` for what can change; `private, no-store` for drafts and private datasets', schema: text },
};
const NOT_MODIFIED = { 304: { description: 'not modified (If-None-Match names the current ETag)', headers: CACHING } };

interface Op {
  summary: string; tags: string[]; description?: string; parameters?: Json[]; requestBody?: Json;
  responses: Json; security?: Json[];
}
/** An operation: its own responses plus the errors every operation can answer (problem+json). */
const op = (o: Op & { id: string }): Json => {
  const { id, ...rest } = o;
  return { operationId: id, ...rest, responses: { ...o.responses, ...problems(400), default: ref('responses', 'Problem') } };
};

// ---- the error schema (RFC 9457) -------------------------------------------------------------
const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'Problem Details for HTTP APIs (RFC 9457). Extension members carry the specifics (limit, allow, fingerprint, errors …).',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'identifies the problem type (https://w3id.org/syndb/problems/…)' },
    title: { type: 'string', description: 'a short, human-readable summary of the problem type' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'the HTTP status code' },
    detail: { type: 'string', description: 'what went wrong with this request, and what to do' },
    instance: { type: 'string', format: 'uri-reference' },
    errors: { type: 'array', description: 'every violation found (validation failures, 422)', items: ref('schemas', 'Violation') },
  },
  additionalProperties: true,
};
const VIOLATION = {
  type: 'object', required: ['path', 'message'],
  properties: {
    path: { type: 'string' }, value: {}, message: { type: 'string' }, focusNode: { type: 'string' },
    severity: { type: 'string', enum: ['Violation', 'Warning', 'Info'] },
    suggestions: { type: 'array', items: {} }, constraint: { type: 'string' },
  },
  additionalProperties: true,
};
const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request (malformed body, parameter or query; SPARQL limits)', 401: 'A bearer token is needed, or the token is not valid',
  403: 'The token may not do this', 404: 'No such resource (or one the caller may not read)', 405: 'Method not allowed (with Allow)',
  406: 'None of the acceptable media types or profiles is offered', 409: 'Conflict with the current state', 410: 'Gone: the version was withdrawn (tombstone)',
  412: 'If-Match did not match the current ETag', 413: 'The body or result is too large', 415: 'Unsupported media type of the body',
  422: 'Validation failed: every violation listed (Accept: text/turtle gives the SHACL report)', 429: 'Too many requests, or a refused query (Retry-After)',
  503: 'Busy, overloaded or storage unavailable (Retry-After)',
};
const problemResponse = (description: string) => ({ description, content: { [PROBLEM]: { schema: ref('schemas', 'Problem') } } });

// ---- schemas of JSON bodies ------------------------------------------------------------------
/** The Dataset JSON: its JSON Schema as served at /schemas/dataset.schema.json (generated from the shapes). */
const { $schema: _dialect, ...DATASET_JSON } = datasetSchema();
const COLLECTION_INPUT = {
  type: 'object',
  properties: { id: { type: 'string' }, kind: { type: 'string', enum: ['collection', 'tag'] }, title: { type: 'string' }, description: { type: 'string' }, access: { type: 'string', enum: ['public', 'private'] }, members: { type: 'array', items: { type: 'string' } } },
  additionalProperties: false,
};
const OBJECT = { type: 'object', additionalProperties: true };
const ACTIVITY = { type: ['string', 'null'], description: 'IRI of the PROV activity that recorded the change' };

// ---- parameters ------------------------------------------------------------------------------
const P = {
  id: path('id', 'dataset id (slug)'),
  n: path('n', 'version number (1, 2, …)', { type: 'integer', minimum: 1 }),
  compartment: path('compartment', 'compartment table', { type: 'string', enum: [...COMPARTMENTS, 'connectome'] }),
  cid: path('cid', 'the row\'s id (cid column)'),
  format: query('format', 'a media type by short name instead of Accept (ttl, nt, jsonld, rdf, bibtex, biblatex, ris, csl, datacite, datacite-json, html, csv …)'),
  profile: query('profile', 'schema (schema.org), dcat (DCAT-AP 3) or syndb (the full graph); also Accept-Profile', { type: 'string', enum: ['schema', 'dcat', 'syndb', 'full'] }),
  acceptProfile: { name: 'Accept-Profile', in: 'header', description: 'a profile IRI, e.g. <http://www.w3.org/ns/dcat#>; the answer names its profile in Content-Profile', schema: text },
  version: query('version', 'a version number instead of the latest published version (withdrawn: 410)', { type: 'integer', minimum: 1 }),
  ifMatch: { name: 'If-Match', in: 'header', description: 'the ETag of GET /datasets/{id}; refuses a lost update (412)', schema: text },
  download: query('download', 'present: Content-Disposition attachment', text, { allowEmptyValue: true }),
  style: query('style', 'CSL style of text/x-bibliography (apa, harvard1, vancouver …)'),
  locale: query('locale', 'CSL locale (en-US …)'),
};
const DATASET_READ = [P.id, P.format, P.profile, P.acceptProfile, P.version, P.download, P.style, P.locale];

// ---- paths -----------------------------------------------------------------------------------
const PATHS: Record<string, Record<string, Json>> = {
  '/': {
    get: op({ id: 'home', tags: ['Pages'], summary: 'Home page with faceted search', parameters: [query('q', 'search text')], responses: { 200: ok('the page (JSON clients are passed on to the search, GET /datasets)', ['text/html', 'application/json']) } }),
  },
  '/health': {
    get: op({ id: 'health', tags: ['Operations'], summary: 'Liveness: 200 while the process serves HTTP (never touches the store)', responses: { 200: ok('alive', ['application/json'], { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }) } }),
  },
  '/health/ready': {
    get: op({ id: 'ready', tags: ['Operations'], summary: 'Readiness: store replicas, durable writes, free disk', responses: { 200: ok('ready', ['application/json'], OBJECT), ...problems(503) } }),
  },
  '/metrics': {
    get: op({ id: 'metrics', tags: ['Operations'], summary: 'Prometheus metrics (text format 0.0.4)', responses: { 200: ok('the metrics', ['text/plain']) } }),
  },
  '/openapi.json': {
    get: op({ id: 'openapi', tags: ['Operations'], summary: 'This OpenAPI 3.1 document', responses: { 200: ok('the document', ['application/json'], OBJECT) } }),
  },
  '/schemas/dataset.schema.json': {
    get: op({ id: 'datasetJsonSchema', tags: ['Datasets'], summary: 'The JSON Schema (2020-12) of the Dataset JSON (components/schemas/DatasetJson); generated from the SHACL shapes', responses: { 200: ok('the schema', ['application/schema+json'], OBJECT) } }),
  },
  '/api': {
    get: op({ id: 'apiReference', tags: ['Pages'], summary: 'This document rendered as an HTML reference', responses: { 200: ok('the reference page', ['text/html']) } }),
  },
  '/static/{file}': {
    get: op({ id: 'staticFile', tags: ['Pages'], summary: 'Scripts of the pages (app.js)', parameters: [path('file', 'file name')], responses: { 200: ok('the file', ['text/javascript']), ...problems(404) } }),
  },
  '/static/yasgui/{file}': {
    get: op({ id: 'yasguiFile', tags: ['SPARQL'], summary: 'YASGUI\'s build (npm @zazuko/yasgui), served from node_modules', parameters: [path('file', 'yasgui.min.js, yasgui.min.css or yasgui.min.js.map', { type: 'string', enum: ['yasgui.min.js', 'yasgui.min.css', 'yasgui.min.js.map'] })], responses: { 200: ok('the file', ['text/javascript', 'text/css', 'application/json']), ...problems(404) } }),
  },
  '/sparql/_editor/{file}': {
    get: op({ id: 'editorFile', tags: ['SPARQL'], summary: 'The query editor\'s own files (YASGUI set-up, chart plugin, styles, prefixes)', parameters: [path('file', 'file name', { type: 'string', enum: ['editor.js', 'chart.js', 'editor.css', 'prefixes.json'] })], responses: { 200: ok('the file', ['text/javascript', 'text/css', 'application/json']), ...problems(404) } }),
  },
  '/upload': {
    get: op({ id: 'uploadForm', tags: ['Pages'], summary: 'The upload form', responses: { 200: ok('the form', ['text/html']) } }),
    post: op({ id: 'uploadFormSubmit', tags: ['Pages'], summary: 'Submit the upload form (the token is a form field)', requestBody: body('the form fields', ['application/x-www-form-urlencoded'], OBJECT), responses: { 303: { description: 'created: see the dataset page', headers: { Location: { schema: text } } }, 401: ok('the form again, with the token problem', ['text/html']), 403: ok('the form again', ['text/html']), 409: ok('the form again (id taken)', ['text/html']), 422: ok('the form again, every problem beside its field', ['text/html']) } }),
  },
  '/datasets': {
    get: op({
      id: 'searchDatasets', tags: ['Datasets'], summary: 'Search and list datasets (ontology-aware facets)',
      parameters: [query('q', 'free text'), query('page', 'page number', { type: 'integer', minimum: 1 }), query('pageSize', 'results per page', { type: 'integer', minimum: 1 }), query('sort', 'relevance, newest, title …'),
        ...FACETS.map((f) => query(f, `facet ${f}: repeat for OR, prefix "!" to exclude`, { type: 'array', items: text }, { style: 'form', explode: true }))],
      responses: { 200: ok('the results (JSON, a Hydra collection in JSON-LD, or the search page)', ['application/json', 'application/ld+json', 'text/html'], OBJECT), ...problems(406) },
    }),
    post: op({
      id: 'createDataset', tags: ['Datasets'], summary: 'Create a dataset draft (validated with SHACL; all or nothing)', security: WRITE,
      parameters: [query('publish', 'true: publish it as version 1 at once', { type: 'boolean' }), query('id', 'the dataset id (else from the body or the title)')],
      requestBody: { description: 'the dataset', required: true, content: { 'application/json': { schema: ref('schemas', 'DatasetJson') }, 'application/ld+json': { schema: OBJECT }, 'text/turtle': { schema: text } } },
      responses: { 201: ok('created', ['application/json'], { type: 'object', properties: { id: text, iri: text, version: { type: ['integer', 'null'] }, activity: ACTIVITY } }, { Location: { schema: text } }), ...problems(401, 403, 409, 413, 415, 422) },
    }),
  },
  '/datasets/{id}': {
    get: op({ id: 'getDataset', tags: ['Datasets'], summary: 'The dataset (latest published version, else the draft), content-negotiated', parameters: DATASET_READ, responses: { 200: ok('the dataset, with a strong ETag, signposting Link headers and Content-Profile', DATASET_TYPES, text, CACHING), ...NOT_MODIFIED, ...problems(404, 406, 410) } }),
    put: op({ id: 'replaceDataset', tags: ['Datasets'], summary: 'Replace the draft\'s description', security: WRITE, parameters: [P.id, P.ifMatch], requestBody: { description: 'the dataset', required: true, content: { 'application/json': { schema: ref('schemas', 'DatasetJson') }, 'application/ld+json': { schema: OBJECT }, 'text/turtle': { schema: text } } }, responses: { 200: ok('stored', ['application/json'], { type: 'object', properties: { id: text, draft: text, activity: ACTIVITY } }), ...problems(401, 403, 404, 412, 413, 415, 422) } }),
    patch: op({ id: 'patchDataset', tags: ['Datasets'], summary: 'JSON Merge Patch (RFC 7396) of the draft\'s Dataset JSON', security: WRITE, parameters: [P.id, P.ifMatch], requestBody: body('the merge patch (null removes a field)', ['application/merge-patch+json', 'application/json'], OBJECT), responses: { 200: ok('stored', ['application/json'], { type: 'object', properties: { id: text, draft: text, activity: ACTIVITY } }), ...problems(401, 403, 404, 409, 412, 415, 422) } }),
    delete: op({ id: 'deleteDataset', tags: ['Datasets'], summary: 'Delete a never-published dataset, or withdraw every version of a published one', security: WRITE, parameters: [P.id, P.ifMatch, query('reason', 'why (also {"reason"} in the body)')], requestBody: body('optional reason', ['application/json'], { type: 'object', properties: { reason: text } }, false), responses: { 200: ok('withdrawn (published dataset)', ['application/json'], OBJECT), 204: { description: 'removed entirely (never published)' }, ...problems(401, 403, 404, 412) } }),
  },
  '/datasets/{id}/versions': {
    get: op({ id: 'listVersions', tags: ['Datasets'], summary: 'The versions of a dataset', parameters: [P.id], responses: { 200: ok('the versions', ['application/json'], OBJECT), ...problems(404) } }),
    post: op({ id: 'publishVersion', tags: ['Datasets'], summary: 'Publish the draft as a new immutable version', security: WRITE, parameters: [P.id], requestBody: body('release notes', ['application/json'], { type: 'object', properties: { notes: text } }, false), responses: { 201: ok('published', ['application/json'], { type: 'object', properties: { id: text, version: { type: 'integer' }, iri: text, activity: ACTIVITY } }, { Location: { schema: text } }), ...problems(401, 403, 404, 409, 422) } }),
  },
  '/datasets/{id}/versions/{n}': {
    get: op({ id: 'getVersion', tags: ['Datasets'], summary: 'One version, in the same formats as the dataset', parameters: [P.id, P.n, P.format, P.profile, P.acceptProfile, P.download, P.style, P.locale], responses: { 200: ok('the version', DATASET_TYPES, text, CACHING), ...NOT_MODIFIED, ...problems(404, 406, 410) } }),
  },
  '/datasets/{id}/versions/{n}/withdraw': {
    post: op({ id: 'withdrawVersion', tags: ['Datasets'], summary: 'Withdraw a version (its IRI answers 410 with a tombstone)', security: WRITE, parameters: [P.id, P.n], requestBody: body('why', ['application/json'], { type: 'object', properties: { reason: text } }, false), responses: { 200: ok('withdrawn', ['application/json'], OBJECT), ...problems(401, 403, 404, 409) } }),
  },
  '/datasets/{id}/cite': {
    get: op({ id: 'citeDataset', tags: ['Citations'], summary: 'The citation page (every format, copy button)', parameters: [P.id, P.version], responses: { 200: ok('the page', ['text/html']), ...problems(404) } }),
  },
  '/datasets/{id}/history': {
    get: op({ id: 'history', tags: ['Provenance'], summary: 'Provenance of every change', parameters: [P.id, P.format], responses: { 200: ok('the history', ['application/json', 'application/ld+json', 'text/turtle', 'application/n-triples', 'text/html']), ...problems(404, 406) } }),
  },
  '/datasets/{id}/lineage': {
    get: op({ id: 'lineage', tags: ['Provenance'], summary: 'What it was derived from, transitively', parameters: [P.id, P.format], responses: { 200: ok('the lineage', ['application/ld+json', 'application/json', 'text/turtle', 'application/n-triples', 'text/html', 'image/svg+xml']), ...problems(404, 406) } }),
  },
  '/datasets/{id}/diff': {
    get: op({ id: 'diff', tags: ['Provenance'], summary: 'What changed between two versions', parameters: [P.id, query('from', 'version', { type: 'integer', minimum: 1 }, { required: true }), query('to', 'version (or draft)', text, { required: true })], responses: { 200: ok('the difference', ['application/json', 'text/html'], OBJECT), ...problems(404, 406) } }),
  },
  '/activities/{uuid}': {
    get: op({ id: 'activity', tags: ['Provenance'], summary: 'One PROV activity', parameters: [path('uuid', 'the activity\'s UUID')], responses: { 200: ok('the activity', ['application/ld+json', 'text/turtle', 'application/n-triples', 'text/html']), ...problems(404, 406) } }),
  },
  '/users/{name}': {
    get: op({ id: 'agent', tags: ['Provenance'], summary: 'One account that made changes (the prov:wasAssociatedWith of activities), if it changed a dataset you may read', parameters: [path('name', 'the account name')], responses: { 200: ok('the agent', ['text/turtle', 'application/ld+json', 'application/n-triples', 'text/html']), ...problems(404, 406) } }),
  },
  '/datasets/{id}/linkset': {
    get: op({ id: 'linkset', tags: ['FAIR'], summary: 'FAIR signposting linkset (RFC 9264)', parameters: [P.id], responses: { 200: ok('the linkset', [LINKSET_JSON, 'application/linkset', 'application/json']), ...problems(404, 406) } }),
  },
  '/datasets/{id}/versions/{n}/linkset': {
    get: op({ id: 'versionLinkset', tags: ['FAIR'], summary: 'FAIR signposting linkset of a version', parameters: [P.id, P.n], responses: { 200: ok('the linkset', [LINKSET_JSON, 'application/linkset', 'application/json']), ...problems(404, 406, 410) } }),
  },
  '/datasets/{id}/tables': {
    get: op({ id: 'listTables', tags: ['Tables'], summary: 'The compartment tables of a dataset', parameters: [P.id, P.version], responses: { 200: ok('the tables', ['application/json'], OBJECT), ...problems(404) } }),
  },
  '/datasets/{id}/tables/{compartment}': {
    get: op({
      id: 'getTable', tags: ['Tables'], summary: 'Download a table (CSV, CSVW metadata, Parquet); filter rows and project columns',
      parameters: [P.id, P.compartment, P.version, P.format, query('columns', 'comma-separated columns to keep'),
        { name: 'filters', in: 'query', description: '{column}=v (repeat: IN list), {column}.gte= / {column}.lte= (range)', schema: { type: 'object', additionalProperties: { type: 'string' } }, style: 'form', explode: true }],
      description: 'A browser (Accept with text/html above text/csv, no ?format=, or ?format=html) gets the table page: rows, sizes, downloads, each column with its statistics and a histogram of each numeric column.',
      responses: { 200: ok('the table, or the table page', ['text/csv', CSVW_TYPE, 'application/ld+json', 'application/vnd.apache.parquet', 'text/html'], undefined, CACHING), ...NOT_MODIFIED, ...problems(404, 406) },
    }),
    put: op({ id: 'putTable', tags: ['Tables'], summary: 'Upload a compartment table to the draft (validated, all or nothing)', security: WRITE, parameters: [P.id, P.compartment, query('triples', 'also load the rows as triples (default: by size)', { type: 'boolean' })], requestBody: body('the table', ['text/csv']), responses: { 200: ok('stored', ['application/json'], OBJECT), 201: ok('stored', ['application/json'], OBJECT), ...problems(401, 403, 404, 413, 415, 422) } }),
  },
  '/datasets/{id}/tables/{compartment}/stats': {
    get: op({ id: 'tableStats', tags: ['Tables'], summary: 'Column statistics: count, nulls, min, max, mean, histogram; the sorted copies of filtered columns (sortedCopies)', parameters: [P.id, P.compartment, P.version], responses: { 200: ok('the statistics', ['application/json'], OBJECT), ...problems(404) } }),
  },
  '/datasets/{id}/tables/{compartment}/columns/{column}/histogram.svg': {
    get: op({ id: 'columnHistogram', tags: ['Pictures'], summary: 'Histogram of a numeric column (SVG, from the column statistics)', parameters: [P.id, P.compartment, path('column', 'the column name'), P.version], responses: { 200: ok('the picture', ['image/svg+xml'], { type: 'string', contentMediaType: 'image/svg+xml' }), ...problems(404, 409) } }),
  },
  '/datasets/{id}/connectome.svg': {
    get: op({ id: 'connectomeHeatmap', tags: ['Pictures'], summary: 'Heatmap of the imported connectome matrix (SVG; at most 40 x 40 cells, the rest summed as "other")', parameters: [P.id, P.version], responses: { 200: ok('the picture', ['image/svg+xml'], { type: 'string', contentMediaType: 'image/svg+xml' }), ...problems(404) } }),
  },
  '/datasets/{id}/tables/{compartment}/uploads': {
    post: op({ id: 'startTableUpload', tags: ['Tables'], summary: 'Start a resumable table upload session', security: WRITE, parameters: [P.id, P.compartment], responses: { 201: ok('the session', ['application/json'], OBJECT), ...problems(401, 403, 404, 413, 429) } }),
  },
  '/datasets/{id}/tables/{compartment}/uploads/{sid}': {
    get: op({ id: 'tableUploadStatus', tags: ['Tables'], summary: 'An upload session: bytes received so far', security: WRITE, parameters: [P.id, P.compartment, { name: 'sid', in: 'path', required: true, description: 'the upload session', schema: { type: 'string' } }], responses: { 200: ok('the session', ['application/json'], OBJECT), ...problems(401, 403, 404) } }),
    head: op({ id: 'tableUploadOffset', tags: ['Tables'], summary: 'An upload session\'s offset (Upload-Offset header)', security: WRITE, parameters: [P.id, P.compartment, { name: 'sid', in: 'path', required: true, description: 'the upload session', schema: { type: 'string' } }], responses: { 200: { description: 'the offset' }, ...problems(401, 403, 404) } }),
    put: op({ id: 'tableUploadChunk', tags: ['Tables'], summary: 'A chunk of the file (Content-Range); the last one stores the table', security: WRITE, parameters: [P.id, P.compartment, { name: 'sid', in: 'path', required: true, description: 'the upload session', schema: { type: 'string' } }], requestBody: body('the chunk', ['text/csv', 'application/octet-stream']), responses: { 200: ok('stored or received', ['application/json'], OBJECT), 201: ok('the table stored', ['application/json'], OBJECT), ...problems(400, 401, 403, 404, 409, 413, 422) } }),
    delete: op({ id: 'cancelTableUpload', tags: ['Tables'], summary: 'Cancel an upload session', security: WRITE, parameters: [P.id, P.compartment, { name: 'sid', in: 'path', required: true, description: 'the upload session', schema: { type: 'string' } }], responses: { 204: { description: 'cancelled' }, ...problems(401, 403, 404) } }),
  },
  '/datasets/{id}/tables/dendritic-consortium/{name}': {
    get: op({ id: 'dendriticTable', tags: ['Tables'], summary: 'One of the imported Dendritic Consortium tables, as its CSV or Parquet file (GET …/tables/dendritic-consortium lists them)', parameters: [P.id, { name: 'name', in: 'path', required: true, description: 'the table name (as listed)', schema: { type: 'string' } }, P.version, P.format], responses: { 200: ok('the table file', ['text/csv', 'application/vnd.apache.parquet']), ...problems(404, 406, 503) } }),
  },
  '/datasets/{id}/tables/{compartment}/rows/{cid}': {
    get: op({ id: 'tableRow', tags: ['Tables'], summary: 'One row as RDF', parameters: [P.id, P.compartment, P.cid, P.version, P.format], responses: { 200: ok('the row', RDF_MEDIA_TYPES), ...problems(404, 406) } }),
  },
  '/datasets/{id}/draft/tables/{compartment}/rows/{cid}': {
    get: op({ id: 'draftTableRow', tags: ['Tables'], summary: 'One row of a draft table (those who may write the dataset)', parameters: [P.id, P.compartment, P.cid, P.format], responses: { 200: ok('the row', RDF_MEDIA_TYPES), ...problems(404, 406) } }),
  },
  '/datasets/{id}/versions/{n}/tables/{compartment}/rows/{cid}': {
    get: op({ id: 'versionTableRow', tags: ['Tables'], summary: 'One row of a published version\'s table (the row\'s IRI)', parameters: [P.id, P.n, P.compartment, P.cid, P.format], responses: { 200: ok('the row', RDF_MEDIA_TYPES), ...problems(404, 406, 410) } }),
  },
  '/datasets/{id}/import/cave': {
    post: op({ id: 'importCave', tags: ['Imports'], summary: 'Import a CAVE table (CSV)', security: WRITE, parameters: [P.id, query('table', 'CAVE table name'), query('materializationVersion', 'materialization', { type: 'integer' }), query('timestamp', 'materialization time'), query('resolution', 'x,y,z nm per voxel')], requestBody: body('the CAVE table', ['text/csv']), responses: { 201: ok('imported', ['application/json'], OBJECT), ...problems(401, 403, 404, 413, 415, 422) } }),
  },
  '/datasets/{id}/import/connectome': {
    post: op({ id: 'importConnectome', tags: ['Imports'], summary: 'Import a connectome matrix (CSV)', security: WRITE, parameters: [P.id], requestBody: body('the matrix', ['text/csv']), responses: { 201: ok('imported', ['application/json'], OBJECT), ...problems(401, 403, 404, 413, 422) } }),
  },
  '/datasets/{id}/import/dendritic': {
    post: op({ id: 'importDendritic', tags: ['Imports'], summary: 'Import Dendritic Consortium tables', security: WRITE, parameters: [P.id], requestBody: body('the tables', ['application/json'], { type: 'object', required: ['tables'], properties: { tables: { type: 'object', additionalProperties: { type: 'string', description: 'CSV text' } } } }), responses: { 201: ok('imported', ['application/json'], OBJECT), ...problems(401, 403, 404, 413, 422) } }),
  },
  '/datasets/{id}/assets': {
    get: op({ id: 'listAssets', tags: ['Assets'], summary: 'Meshes and skeletons of the dataset', parameters: [P.id, P.version, P.format], responses: { 200: ok('the assets', ['application/json', 'application/ld+json', 'text/turtle', 'text/html', 'application/n-triples']), ...problems(404, 406) } }),
    post: op({
      id: 'uploadAsset', tags: ['Assets'], summary: 'Upload a mesh (.glb, .ply, .obj) or SWC skeleton to the draft (checked and summarised)', security: WRITE,
      parameters: [P.id, query('filename', 'the file name (its extension names the format)'), query('row', 'the table row (cid) the asset belongs to'), query('forest', 'accept an SWC with several roots', { type: 'boolean' }), query('swcUnit', 'unit of SWC coordinates', { type: 'string', enum: ['um', 'nm'] })],
      requestBody: { description: 'the file (raw, or one file part of a form)', required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } }, 'text/plain': { schema: text }, 'model/gltf-binary': { schema: { type: 'string', contentMediaType: 'model/gltf-binary' } }, 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } } } } },
      responses: { 201: ok('stored', ['application/json'], OBJECT, { Location: { schema: text } }), ...problems(401, 403, 404, 409, 413, 415, 422) },
    }),
  },
  '/datasets/{id}/assets/{name}': {
    get: op({ id: 'getAsset', tags: ['Assets'], summary: 'The latest version\'s file of that name', parameters: [P.id, path('name', 'file name')], responses: { 200: ok('the file', ['application/octet-stream'], { type: 'string', contentMediaType: 'application/octet-stream' }, CACHING), ...NOT_MODIFIED, ...problems(404) } }),
  },
  '/datasets/{id}/assets/{name}/projection.svg': {
    get: op({ id: 'skeletonProjection', tags: ['Pictures'], summary: 'Three projections (x-y, x-z, z-y) of an SWC skeleton (SVG; at most 3000 segments drawn)', parameters: [P.id, path('name', 'file name of the SWC asset'), P.version], responses: { 200: ok('the picture', ['image/svg+xml'], { type: 'string', contentMediaType: 'image/svg+xml' }), ...problems(404, 413) } }),
  },
  '/datasets/{id}/versions/{n}/assets': {
    get: op({ id: 'listVersionAssets', tags: ['Assets'], summary: 'Assets of a published version', parameters: [P.id, P.n, P.format], responses: { 200: ok('the assets', ['application/json', 'application/ld+json', 'text/turtle', 'text/html', 'application/n-triples']), ...problems(404, 406, 410) } }),
  },
  '/datasets/{id}/versions/{n}/assets/{name}': {
    get: op({ id: 'getVersionAsset', tags: ['Assets'], summary: 'A published version\'s asset at its own IRI (the same bytes forever)', parameters: [P.id, P.n, path('name', 'file name')], responses: { 200: ok('the file', ['application/octet-stream'], { type: 'string', contentMediaType: 'application/octet-stream' }, CACHING), ...NOT_MODIFIED, ...problems(404, 410) } }),
  },
  '/archive': {
    get: op({ id: 'archive', tags: ['Assets'], summary: 'Bulk download: tables of several datasets as tar.gz (CSVs + manifest.json)', parameters: [query('datasets', 'comma-separated dataset ids', text, { required: true }), query('compartments', 'comma-separated compartments')], responses: { 200: ok('the archive', ['application/gzip'], { type: 'string', contentMediaType: 'application/gzip' }), ...problems(404, 413) } }),
    post: op({ id: 'archivePost', tags: ['Assets'], summary: 'Bulk download with the selection in the body', requestBody: body('the selection', ['application/json'], { type: 'object', properties: { datasets: { type: 'array', items: text }, compartments: { type: 'array', items: text } }, required: ['datasets'] }), responses: { 200: ok('the archive', ['application/gzip'], { type: 'string', contentMediaType: 'application/gzip' }), ...problems(404, 413) } }),
  },
  '/collections': {
    get: op({ id: 'listCollections', tags: ['Collections'], summary: 'Collections and tags', responses: { 200: ok('the collections', ['application/json', 'application/ld+json', 'text/html'], OBJECT), ...problems(406) } }),
    post: op({ id: 'createCollection', tags: ['Collections'], summary: 'Create a collection or tag', security: WRITE, requestBody: body('the collection', ['application/json'], ref('schemas', 'CollectionInput')), responses: { 201: ok('created', ['application/json'], OBJECT, { Location: { schema: text } }), ...problems(401, 403, 409, 422) } }),
  },
  '/collections/{id}': {
    get: op({ id: 'getCollection', tags: ['Collections'], summary: 'A collection with its members (also its members\' citations)', parameters: [path('id', 'collection id'), P.format, P.style, P.locale, P.download], responses: { 200: ok('the collection', ['text/html', 'application/json', ...RDF_MEDIA_TYPES, ...CITATION_TYPES]), ...problems(404, 406) } }),
    put: op({ id: 'updateCollection', tags: ['Collections'], summary: 'Change a collection', security: WRITE, parameters: [path('id', 'collection id')], requestBody: body('the collection', ['application/json'], ref('schemas', 'CollectionInput')), responses: { 200: ok('changed', ['application/json'], OBJECT), ...problems(401, 403, 404, 422) } }),
    delete: op({ id: 'deleteCollection', tags: ['Collections'], summary: 'Delete a collection', security: WRITE, parameters: [path('id', 'collection id')], responses: { 204: { description: 'deleted' }, ...problems(401, 403, 404) } }),
  },
  '/collections/{id}/members': {
    post: op({ id: 'addMembers', tags: ['Collections'], summary: 'Add datasets to a collection', security: WRITE, parameters: [path('id', 'collection id')], requestBody: body('{"dataset": id} or {"members": [ids]}', ['application/json'], { oneOf: [{ type: 'object', properties: { dataset: text }, required: ['dataset'] }, { type: 'object', properties: { members: { type: 'array', items: text } }, required: ['members'] }, { type: 'array', items: text }, text] }), responses: { 200: ok('the collection', ['application/json'], OBJECT), ...problems(401, 403, 404, 422) } }),
  },
  '/collections/{id}/members/{dataset}': {
    delete: op({ id: 'removeMember', tags: ['Collections'], summary: 'Remove a dataset from a collection', security: WRITE, parameters: [path('id', 'collection id'), path('dataset', 'dataset id')], responses: { 200: ok('the collection', ['application/json'], OBJECT), ...problems(401, 403, 404) } }),
  },
  '/sparql': {
    get: op({
      id: 'sparqlGet', tags: ['SPARQL'], summary: 'SPARQL 1.1 query by GET; without a query: the service description, or the query editor (YASGUI) for browsers',
      parameters: [query('query', 'the SPARQL query'), query('default-graph-uri', 'default graph (repeatable)', { type: 'array', items: text }, { style: 'form', explode: true }), query('named-graph-uri', 'named graph (repeatable)', { type: 'array', items: text }, { style: 'form', explode: true }), query('format', 'result media type by short name (also output=)'), query('timeout', 'lower the timeout, ms', { type: 'integer', minimum: 1 })],
      responses: { 200: ok('query results (SELECT/ASK: SPARQL results, CSV, TSV; CONSTRUCT/DESCRIBE: RDF), the service description (RDF, no query) or the editor (text/html)', [...new Set([...SELECT_TYPES, ...GRAPH_TYPES, ...SD_MEDIA_TYPES, 'text/html'])]), ...problems(406, 413, 422, 429, 503) },
    }),
    post: op({
      id: 'sparqlPost', tags: ['SPARQL'], summary: 'SPARQL 1.1 query or update by POST (updates need a token; validated and recorded)',
      parameters: [query('default-graph-uri', 'default graph (repeatable)', { type: 'array', items: text }, { style: 'form', explode: true }), query('named-graph-uri', 'named graph (repeatable)', { type: 'array', items: text }, { style: 'form', explode: true }), query('using-graph-uri', 'update: USING graph', { type: 'array', items: text }, { style: 'form', explode: true }), query('using-named-graph-uri', 'update: USING NAMED graph', { type: 'array', items: text }, { style: 'form', explode: true }), query('timeout', 'lower the timeout, ms', { type: 'integer', minimum: 1 })],
      requestBody: { description: 'a query or an update (UTF-8)', required: true, content: { 'application/sparql-query': { schema: text }, 'application/sparql-update': { schema: text }, 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { query: text, update: text, format: text, 'default-graph-uri': text, 'named-graph-uri': text } } } } },
      responses: { 200: ok('query results, or the update\'s outcome (application/json: status, changedGraphs, activity)', [...new Set([...SELECT_TYPES, ...GRAPH_TYPES])]), ...problems(401, 403, 406, 413, 415, 422, 429, 503) },
    }),
  },
  '/store': {
    get: op({ id: 'gspGet', tags: ['Graph Store'], summary: 'SPARQL 1.1 Graph Store Protocol: get a graph (?graph=IRI or ?default)', parameters: [query('graph', 'the graph IRI'), query('default', 'the default graph', text, { allowEmptyValue: true })], responses: { 200: ok('the graph', GSP_OUTPUT), ...problems(404, 406) } }),
    head: op({ id: 'gspHead', tags: ['Graph Store'], summary: 'Whether a graph exists', parameters: [query('graph', 'the graph IRI'), query('default', 'the default graph', text, { allowEmptyValue: true })], responses: { 200: { description: 'it exists' }, ...problems(404) } }),
    put: op({ id: 'gspPut', tags: ['Graph Store'], summary: 'Replace a graph (or mark it public: ?access=public)', security: WRITE, parameters: [query('graph', 'the graph IRI'), query('default', 'the default graph', text, { allowEmptyValue: true }), query('access', 'public: everyone may read this free graph', { type: 'string', enum: ['public', 'private'] })], requestBody: body('the graph', Object.keys(GSP_INPUT_TYPES)), responses: { 201: ok('created', ['application/json'], OBJECT, { Location: { schema: text } }), 204: { description: 'replaced' }, ...problems(401, 403, 404, 413, 415, 422) } }),
    post: op({ id: 'gspPost', tags: ['Graph Store'], summary: 'Add to a graph', security: WRITE, parameters: [query('graph', 'the graph IRI'), query('default', 'the default graph', text, { allowEmptyValue: true })], requestBody: body('the triples', Object.keys(GSP_INPUT_TYPES)), responses: { 200: ok('merged', ['application/json'], OBJECT), 201: ok('created', ['application/json'], OBJECT, { Location: { schema: text } }), ...problems(401, 403, 404, 413, 415, 422) } }),
    delete: op({ id: 'gspDelete', tags: ['Graph Store'], summary: 'Delete a graph', security: WRITE, parameters: [query('graph', 'the graph IRI'), query('default', 'the default graph', text, { allowEmptyValue: true })], responses: { 200: ok('deleted', ['application/json'], OBJECT), ...problems(401, 403, 404, 422) } }),
  },
  '/store/{path}': {
    get: op({ id: 'gspGetDirect', tags: ['Graph Store'], summary: 'A graph named by its URL under /store/ (direct identification)', parameters: [path('path', 'the rest of the graph\'s URL (may contain "/")')], responses: { 200: ok('the graph', GSP_OUTPUT), ...problems(404, 406) } }),
    head: op({ id: 'gspHeadDirect', tags: ['Graph Store'], summary: 'Whether that graph exists', parameters: [path('path', 'the rest of the graph\'s URL')], responses: { 200: { description: 'it exists' }, ...problems(404) } }),
    put: op({ id: 'gspPutDirect', tags: ['Graph Store'], summary: 'Replace that graph', security: WRITE, parameters: [path('path', 'the rest of the graph\'s URL')], requestBody: body('the graph', Object.keys(GSP_INPUT_TYPES)), responses: { 201: ok('created', ['application/json'], OBJECT, { Location: { schema: text } }), 204: { description: 'replaced' }, ...problems(401, 403, 413, 415, 422) } }),
    post: op({ id: 'gspPostDirect', tags: ['Graph Store'], summary: 'Add to that graph', security: WRITE, parameters: [path('path', 'the rest of the graph\'s URL')], requestBody: body('the triples', Object.keys(GSP_INPUT_TYPES)), responses: { 200: ok('merged', ['application/json'], OBJECT), 201: ok('created', ['application/json'], OBJECT, { Location: { schema: text } }), ...problems(401, 403, 413, 415, 422) } }),
    delete: op({ id: 'gspDeleteDirect', tags: ['Graph Store'], summary: 'Delete that graph', security: WRITE, parameters: [path('path', 'the rest of the graph\'s URL')], responses: { 200: ok('deleted', ['application/json'], OBJECT), ...problems(401, 403, 404) } }),
  },
  '/catalog': {
    get: op({ id: 'catalog', tags: ['FAIR'], summary: 'DCAT-AP 3 catalog of public datasets (paged)', parameters: [query('page', 'page', { type: 'integer', minimum: 1 }), query('pageSize', 'datasets per page', { type: 'integer', minimum: 1 }), P.format], responses: { 200: ok('the catalog', CATALOG_TYPES), ...problems(406) } }),
  },
  '/sitemap.xml': {
    get: op({ id: 'sitemap', tags: ['FAIR'], summary: 'Sitemap for crawlers', parameters: [query('part', 'part of a split sitemap', { type: 'integer', minimum: 1 })], responses: { 200: ok('the sitemap', ['application/xml']) } }),
  },
  '/robots.txt': {
    get: op({ id: 'robots', tags: ['FAIR'], summary: 'robots.txt', responses: { 200: ok('robots.txt', ['text/plain']) } }),
  },
  '/oai': {
    get: op({ id: 'oai', tags: ['FAIR'], summary: 'OAI-PMH 2.0 (oai_dc, oai_datacite); protocol errors are OAI-PMH error elements', parameters: [query('verb', 'Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords, GetRecord', text, { required: true }), query('metadataPrefix', 'oai_dc or oai_datacite'), query('identifier', 'record identifier'), query('from', 'UTC date'), query('until', 'UTC date'), query('set', 'set spec'), query('resumptionToken', 'resumption token')], responses: { 200: ok('the OAI-PMH response', ['text/xml']) } }),
    post: op({ id: 'oaiPost', tags: ['FAIR'], summary: 'OAI-PMH 2.0 by POST', requestBody: body('the arguments', ['application/x-www-form-urlencoded'], OBJECT), responses: { 200: ok('the OAI-PMH response', ['text/xml']) } }),
  },
};

/** The OpenAPI 3.1 document of the service (served at /openapi.json). */
export function openApiDocument(serverUrl: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'SynDB Graph', version: '0.1.0', license: { name: 'MIT', identifier: 'MIT' },
      description: 'Linked-data knowledge graph and FAIR publication service for connectomics datasets. Reads are public except private and embargoed datasets; writes need a bearer token. Every error is application/problem+json (RFC 9457). OPTIONS on any path answers 204 with Allow; a method a path does not support is 405 with Allow. Content negotiation follows RFC 9110 (q-values, media type parameters); ?format= is an alternative to Accept.',
    },
    servers: [{ url: serverUrl }],
    security: [{}, { bearer: [] }],
    tags: ['Datasets', 'Tables', 'Assets', 'Imports', 'Collections', 'Citations', 'Provenance', 'SPARQL', 'Graph Store', 'FAIR', 'Operations', 'Pages', 'Pictures'].map((name) => ({ name })),
    paths: PATHS,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `syndb token create` or SYNDB_ADMIN_TOKEN' } },
      schemas: { Problem: PROBLEM_SCHEMA, Violation: VIOLATION, DatasetJson: DATASET_JSON, CollectionInput: COLLECTION_INPUT },
      responses: {
        Problem: problemResponse('An error (RFC 9457 problem details)'),
        ...Object.fromEntries(Object.entries(STATUS_TITLES).map(([c, d]) => [`P${c}`, problemResponse(d)])),
      },
    },
  };
}

/** OpenAPI path template of an express route pattern: `:id` → `{id}`, `*path` → `{path}`, no trailing slash. */
export function openApiPath(expressPath: string): string {
  const p = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}').replace(/\*([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
  return p.length > 1 ? p.replace(/\/$/, '') : p;
}
