/**
 * The query editor for browsers on GET /sparql (Accept: text/html): a server-rendered form
 * (textarea, example queries, results table) that works without JavaScript (the form submits to
 * /sparql and the browser shows the raw result) and, with the small vendored script editor.js,
 * runs queries with fetch and renders SPARQL JSON results as a table. No CDN, nothing from npm:
 * YASGUI is not installed here, this is the documented small equivalent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceContext } from '../../service/context.js';
import { projectRoot } from '../../shacl/validator.js';
import { page, esc } from '../html.js';
import { NS } from '../../model/namespaces.js';

const P = `PREFIX syndb: <${NS.syndb}>
PREFIX dcterms: <${NS.dcterms}>
PREFIX dcat: <${NS.dcat}>
PREFIX prov: <${NS.prov}>
PREFIX skos: <${NS.skos}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
`;

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
    query: `${P}PREFIX obo: <http://purl.obolibrary.org/obo/>
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
  GRAPH ?version { ?version dcterms:issued ?issued . OPTIONAL { ?version <http://www.w3.org/ns/adms#versionNotes> ?notes } }
} ORDER BY ?concept ?issued`,
  },
  {
    name: 'Named graphs you can see',
    query: `SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g`,
  },
];

export function editorPage(_ctx: ServiceContext): string {
  const first = EXAMPLE_QUERIES[0].query;
  const options = EXAMPLE_QUERIES.map((e, i) => `<option value="${i}">${esc(e.name)}</option>`).join('');
  const data = JSON.stringify(EXAMPLE_QUERIES).replace(/</g, '\\u003c');
  return page('SPARQL', `<h1>SPARQL query editor</h1>
<p>Endpoint: <code>/sparql</code> (SPARQL 1.1 Protocol; GET the endpoint with <code>Accept: text/turtle</code> for its service description).
The default graph holds the ontology and the latest published version of every dataset you may read; versions are named graphs.</p>
<form id="sparql-form" action="/sparql" method="post">
<p><label for="example">Example queries</label> <select id="example">${options}</select></p>
<p><label for="query">Query</label><br><textarea id="query" name="query" rows="16" cols="100" spellcheck="false" style="width:100%;font:14px/1.4 monospace">${esc(first)}</textarea></p>
<p><label for="format">Result format</label> <select id="format" name="format">
<option value="srj">table (SPARQL JSON)</option><option value="csv">CSV</option><option value="tsv">TSV</option><option value="srx">SPARQL XML</option><option value="ttl">Turtle (CONSTRUCT/DESCRIBE)</option><option value="jsonld">JSON-LD (CONSTRUCT/DESCRIBE)</option></select>
<label for="token">Bearer token (optional)</label> <input id="token" type="password" autocomplete="off">
<button type="submit">Run</button></p>
</form>
<p id="status" role="status"></p>
<div id="results"></div>
<script type="application/json" id="examples">${data}</script>
<script src="/sparql/_editor/editor.js" defer></script>`);
}

const ASSETS: Record<string, string> = { 'editor.js': 'text/javascript; charset=utf-8' };

export function editorAsset(name: string): { type: string; body: string } | undefined {
  const type = ASSETS[name];
  if (!type) return undefined;
  return { type, body: readFileSync(join(projectRoot(), 'src', 'http', 'sparql-editor', name), 'utf8') };
}
