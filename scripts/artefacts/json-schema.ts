/**
 * The JSON Schema (2020-12) of the Dataset JSON, from the fields read off the shapes. It checks
 * the form of a document (keys, JSON types, fixed values, required keys); what only the service
 * can check (vocabulary terms, ORCID check digits, DOIs, the SHACL rules) it leaves to the service.
 */
import type { DatasetField } from '../../src/model/dataset-field.js';

export const DATASET_SCHEMA_PATH = '/schemas/dataset.schema.json';

type Schema = Record<string, unknown>;

function valueSchema(f: DatasetField): Schema {
  let s: Schema;
  switch (f.kind) {
    case 'integer': s = { type: 'integer' }; break;
    case 'date': s = { type: 'string', format: 'date' }; break;
    case 'dateTime': s = { type: 'string', format: 'date-time' }; break;
    case 'link': s = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] }; break;
    case 'object': s = objectSchema(f.fields ?? []); break;
    default: s = { type: 'string' };
  }
  if (f.enum) s = { ...s, enum: f.enum };
  if (f.pattern) s = { ...s, pattern: f.pattern };
  if (f.shorthand) s = { anyOf: [{ type: 'string', description: `Short for {"${f.shorthand}": "…"}.` }, s] };
  return s;
}

function objectSchema(fields: readonly DatasetField[], closed = false): Schema {
  const properties: Record<string, Schema> = {};
  for (const f of fields) {
    const v = valueSchema(f);
    properties[f.key] = { description: f.description, ...(f.list ? { type: 'array', items: v, ...(f.required ? { minItems: 1 } : {}) } : v), ...(f.default !== undefined ? { default: f.default } : {}) };
  }
  const required = fields.filter((f) => f.required).map((f) => f.key);
  return { type: 'object', properties, ...(required.length ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
}

/** The schema, with `$id` at `base` + DATASET_SCHEMA_PATH. Unknown top-level keys are refused, as the service refuses them. */
export function datasetJsonSchema(fields: readonly DatasetField[], base = 'https://w3id.org/syndb'): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: base + DATASET_SCHEMA_PATH,
    title: 'SynDB Dataset JSON',
    description: 'The simple JSON description of one SynDB dataset (docs/dataset-json.md). Generated from the SHACL shapes by scripts/generate-artefacts.ts.',
    ...objectSchema(fields, true),
  };
}
