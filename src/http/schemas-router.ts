/** GET /schemas/dataset.schema.json: the JSON Schema (2020-12) of the Dataset JSON (docs/dataset-json.md). */
import { Router } from 'express';
import { datasetSchemaText } from '../model/dataset-schema.js';

export const DATASET_SCHEMA_ROUTE = '/schemas/dataset.schema.json';

export function schemasRouter(): Router {
  const r = Router();
  r.get(DATASET_SCHEMA_ROUTE, (_req, res) => {
    res.type('application/schema+json').set('Cache-Control', 'public, max-age=3600').send(datasetSchemaText());
  });
  return r;
}
