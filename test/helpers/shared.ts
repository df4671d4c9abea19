/** Where ../shared (conformance suites, reference data, tools/jena) is: beside the project, or SYNDB_SHARED_DIR. */
import { resolve } from 'node:path';
import { projectRoot } from '../../src/util/paths.js';

// the package root (found by its package.json), so that this also holds from dist/ (the benches)
export const SHARED = process.env.SYNDB_SHARED_DIR ?? resolve(projectRoot(), '..', 'shared');
export const sharedPath = (...parts: string[]) => resolve(SHARED, ...parts);
export const JENA = sharedPath('tools', 'jena');
