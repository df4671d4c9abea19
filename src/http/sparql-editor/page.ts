/**
 * The query editor for browsers on GET /sparql (Accept: text/html): YASGUI (npm @zazuko/yasgui,
 * its build served by us under /static/yasgui/, never from a CDN) configured with our endpoint, our
 * example queries (one YASGUI tab each on a first visit, and a menu that opens one in a new tab) and
 * our prefixes (from model/namespaces.ts: autocompletion, the new-tab query, and the compaction of
 * IRIs in results). YASR's chart plugin is not part of the open-source YASGUI (and the old one
 * loaded Google Charts from the internet), so a small bar-chart plugin of ours (chart.js, inline
 * SVG, no dependency) is registered instead. Without JavaScript the page is a plain form that
 * submits to /sparql (the browser shows the raw result).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { ServiceContext } from '../../service/context.js';
import { projectRoot } from '../../util/paths.js';
import { page, esc } from '../html.js';
import { NS, prefixDeclarations } from '../../model/namespaces.js';
import { scriptSafeJson } from '../../util/markup-escape.js';

const P = prefixDeclarations(['syndb', 'dcterms', 'dcat', 'prov', 'skos', 'rdfs']);

/** Example queries over the connectomics data (the list shown in the editor). */
export const EXAMPLE_QUERIES: { name: string; query: string }[] = [
  {
    name: 'Datasets by brain region and method',
    query: `${P}SELECT ?dataset ?title ?region ?method WHERE {
  ?dataset a syndb:DatasetVersion ; dcterms:title ?title ;
           syndb:brainRegion ?r ; syndb:microscopyMethod ?m .
  OPTIONAL { ?r skos:prefLabel ?region FILTER(lang(?region) = "en") }
  OPTIONAL { ?m skos:prefLabel ?method }
} ORDER BY ?region ?title`,
  },
  {
    name: 'Datasets in a region or any of its sub-regions (property path)',
    query: `${P}PREFIX obo: <${NS.obo}>
# every dataset whose region lies (transitively) inside the mouse isocortex (MBA:315)
SELECT ?dataset ?title ?region WHERE {
  ?dataset a syndb:DatasetVersion ; dcterms:title ?title ; syndb:brainRegion ?r .
  ?r skos:broader* obo:MBA_315 .
  OPTIONAL { ?r skos:prefLabel ?region }
}`,
  },
  {
    name: 'Synapse counts per dataset',
    query: `${P}SELECT ?dataset (COUNT(?syn) AS ?synapses) WHERE {
  ?syn a syndb:Synapse ; syndb:inDataset ?dataset .
} GROUP BY ?dataset ORDER BY DESC(?synapses)`,
  },
  {
    name: 'What a dataset was derived from',
    query: `${P}SELECT ?dataset ?title ?source WHERE {
  ?dataset a syndb:DatasetVersion ; dcterms:title ?title ; prov:wasDerivedFrom ?source .
}`,
  },
  {
    name: 'All versions of a dataset',
    query: `${P}SELECT ?concept ?version ?issued ?notes WHERE {
  ?concept a syndb:DatasetConcept ; dcat:hasVersion ?version .
  GRAPH ?version { ?version dcterms:issued ?issued . OPTIONAL { ?version <${NS.adms}versionNotes> ?notes } }
} ORDER BY ?concept ?issued`,
  },
  {
    name: 'Named graphs you can see',
    query: `SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g`,
  },
];

/** The query of a new YASGUI tab: our most used prefixes and a first pattern. */
export const NEW_TAB_QUERY = `${prefixDeclarations(['syndb', 'dcterms', 'dcat', 'prov', 'skos', 'rdfs', 'schema'])}
SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100`;

/** Where the browser gets YASGUI's build (files of node_modules/@zazuko/yasgui/build). */
export const YASGUI_PATH = '/static/yasgui';
const YASGUI_FILES: Record<string, string> = {
  'yasgui.min.js': 'text/javascript; charset=utf-8',
  'yasgui.min.js.map': 'application/json',
  'yasgui.min.css': 'text/css; charset=utf-8',
};

/** The directory and media type of a served YASGUI file, or undefined for any other name. */
export function yasguiFile(name: string): { root: string; type: string } | undefined {
  const type = YASGUI_FILES[name];
  if (!type) return undefined;
  const require = createRequire(import.meta.url);
  return { root: join(require.resolve('@zazuko/yasgui/package.json'), '..', 'build'), type };
}

/** What editor.js needs: the endpoint, the example tabs, the prefixes, the new-tab query. */
export function editorConfig() {
  return {
    endpoint: '/sparql',
    prefixesUrl: '/sparql/_editor/prefixes.json',
    prefixes: { ...NS },
    newTabQuery: NEW_TAB_QUERY,
    examples: EXAMPLE_QUERIES,
  };
}

export function editorPage(_ctx: ServiceContext): string {
  const first = EXAMPLE_QUERIES[0].query;
  const options = EXAMPLE_QUERIES.map((e, i) => `<option value="${i}">${esc(e.name)}</option>`).join('');
  const data = scriptSafeJson(editorConfig(), 0);
  const examplesText = EXAMPLE_QUERIES.map((e) => `<h3>${esc(e.name)}</h3><pre>${esc(e.query)}</pre>`).join('\n');
  return page('SPARQL', `<h1>SPARQL query editor</h1>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol; GET the endpoint with <code>Accept: text/turtle</code> for its service description).
The default graph holds the ontology and the latest published version of every dataset you may read; versions are named graphs.
The API is described at <a href="/api">/api</a>.</p>
<form id="editor-controls" class="searchbar" hidden>
<label for="example">Example queries</label> <select id="example">${options}</select>
<button type="button" id="open-example" class="secondary">Open in a new tab</button>
<span class="token-field"><label for="token">Bearer token (optional)</label> <input id="token" type="password" autocomplete="off" size="24"></span>
</form>
<p id="editor-status" class="status" role="status"></p>
<div id="yasgui"></div>
<noscript>
<form id="sparql-form" action="/sparql" method="post">
<p><label for="query">Query</label><br><textarea id="query" name="query" rows="16" cols="100" spellcheck="false" style="width:100%;font:14px/1.4 monospace">${esc(first)}</textarea></p>
<p><label for="format">Result format</label> <select id="format" name="format">
<option value="srj">SPARQL JSON</option><option value="csv">CSV</option><option value="tsv">TSV</option><option value="srx">SPARQL XML</option><option value="ttl">Turtle (CONSTRUCT/DESCRIBE)</option><option value="jsonld">JSON-LD (CONSTRUCT/DESCRIBE)</option></select>
<button type="submit">Run</button></p>
</form>
<h2>Example queries</h2>
${examplesText}
</noscript>
<script type="application/json" id="sparql-config">${data}</script>
<script src="${YASGUI_PATH}/yasgui.min.js" defer></script>
<script src="/sparql/_editor/chart.js" defer></script>
<script src="/sparql/_editor/editor.js" defer></script>`, `<link rel="icon" href="data:,"><link rel="stylesheet" href="${YASGUI_PATH}/yasgui.min.css"><link rel="stylesheet" href="/sparql/_editor/editor.css">`);
}

const ASSETS: Record<string, string> = {
  'editor.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'editor.css': 'text/css; charset=utf-8',
  'prefixes.json': 'application/json',
};

export function editorAsset(name: string): { type: string; body: string } | undefined {
  const type = ASSETS[name];
  if (!type) return undefined;
  if (name === 'prefixes.json') return { type, body: JSON.stringify(NS) }; // YASQE's prefix autocompletion (prefixCcApi)
  return { type, body: readFileSync(join(projectRoot(), 'src', 'http', 'sparql-editor', name), 'utf8') };
}
