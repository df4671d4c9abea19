/** Where ../shared (conformance suites, reference data, tools/jena) is: beside the project, or SYNDB_SHARED_DIR. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.SYNDB_SHARED_DIR ?? resolve(projectRoot, '..', 'shared');
export const sharedPath = (...parts: string[]) => resolve(SHARED, ...parts);
export const JENA = sharedPath('tools', 'jena');
