/**
 * Generates, from shapes/*.ttl and ontologies/syndb.ttl, the files checked in beside them:
 * the JSON-LD context, the Dataset JSON field map, its JSON Schema and the field table of
 * docs/dataset-json.md (the upload form reads the field map). `npm run generate` writes them;
 * `--check` only compares and exits 1 naming the files that are out of date
 * (test/generated-artefacts.test.ts does the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/util/paths.js';
import { loadOntology, loadShapes } from './artefacts/rdf-source.js';
import { jsonldContext } from './artefacts/jsonld-context.js';
import { datasetFields, datasetFieldsModule } from './artefacts/dataset-fields.js';
import { datasetJsonSchema } from './artefacts/json-schema.js';
import { withFieldTable } from './artefacts/docs-table.js';

export const ARTEFACTS = ['ontologies/context.jsonld', 'src/model/generated/dataset-fields.ts', 'schemas/dataset.schema.json', 'docs/dataset-json.md'] as const;

/** Path (relative to the project) -> the content it must have. */
export function generateArtefacts(root: string): Record<(typeof ARTEFACTS)[number], string> {
  const fields = datasetFields(loadShapes(root));
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'ontologies/context.jsonld': json(jsonldContext(loadOntology(root))),
    'src/model/generated/dataset-fields.ts': datasetFieldsModule(fields),
    'schemas/dataset.schema.json': json(datasetJsonSchema(fields)),
    'docs/dataset-json.md': withFieldTable(readFileSync(join(root, 'docs', 'dataset-json.md'), 'utf8'), fields),
  };
}

/** The artefacts whose checked-in content differs from what the sources give. */
export function staleArtefacts(root: string): string[] {
  const want = generateArtefacts(root);
  return Object.entries(want).filter(([p, text]) => {
    try { return readFileSync(join(root, p), 'utf8') !== text; } catch { return true; }
  }).map(([p]) => p);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = projectRoot();
  if (process.argv.includes('--check')) {
    const stale = staleArtefacts(root);
    if (stale.length) { console.error(`out of date (run npm run generate): ${stale.join(', ')}`); process.exit(1); }
    console.log('generated artefacts are current');
  } else {
    for (const [p, text] of Object.entries(generateArtefacts(root))) writeFileSync(join(root, p), text);
    console.log(`wrote ${ARTEFACTS.join(', ')}`);
  }
}
