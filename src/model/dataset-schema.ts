/** The JSON Schema of the Dataset JSON (schemas/dataset.schema.json, generated from the shapes by scripts/generate-artefacts.ts). */
import { readFileSync } from 'node:fs';
import { projectPath } from '../util/paths.js';

let text: string | undefined;
/** The schema document as checked in (served byte for byte). */
export function datasetSchemaText(): string {
  return (text ??= readFileSync(projectPath('schemas', 'dataset.schema.json'), 'utf8'));
}
export const datasetSchema = (): Record<string, unknown> => JSON.parse(datasetSchemaText()) as Record<string, unknown>;
