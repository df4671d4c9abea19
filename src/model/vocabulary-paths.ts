/** Where the committed vocabulary files live: `ontologies/vocab-*.ttl` under the package root. */
import path from 'node:path';
import { packageRoot } from '../util/paths.js';

export { packageRoot };

/** The vocabulary files the build script writes, in load order. */
export const VOCAB_FILES = [
  'vocab-brain-regions.ttl',
  'vocab-species.ttl',
  'vocab-methods.ttl',
  'vocab-expression-kinds.ttl',
  'vocab-licenses.ttl',
] as const;

export function ontologiesDir(root: string = packageRoot()): string {
  return path.join(root, 'ontologies');
}
