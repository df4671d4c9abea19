/** Locate files of this package (ontologies/, shapes/, examples/) from src/ or dist/src/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root (package.json)');
    dir = up;
  }
  root = dir;
  return dir;
}
export const projectPath = (...parts: string[]) => join(projectRoot(), ...parts);
