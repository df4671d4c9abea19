/** Locate files of this package (ontologies/, shapes/, examples/) from src/ or dist/src/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found by walking up from `fromUrl` (default: this module).
 * Works from src/ (vitest, tsx), scripts/ and dist/src/ (after tsc).
 */
export function packageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json found above ${fileURLToPath(fromUrl)}`);
    dir = up;
  }
}

let root: string | undefined;
/** This package's root folder (found once). */
export function projectRoot(): string {
  return (root ??= packageRoot());
}
export const projectPath = (...parts: string[]) => join(projectRoot(), ...parts);
