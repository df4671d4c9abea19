/** Where the committed vocabulary files live: `ontologies/vocab-*.ttl` under the package root. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found by walking up from `fromUrl` (default: this module).
 * Works from `src/model/` (vitest, tsx) and from `dist/src/model/` (after tsc).
 */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json found above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
}

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
