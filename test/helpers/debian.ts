/**
 * Install Debian packages that tests use as independent referees (parsers we did not write).
 * A no-op when every package is already installed; otherwise runs apt-get (as root, or through
 * sudo when available) and prints what it installs.
 */
import { execFileSync, spawnSync } from 'node:child_process';

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureDebianPackages(packages: readonly string[]): void {
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(`Debian packages needed by this test are missing (${missing.join(', ')}) and this user cannot install them: run "apt-get install -y ${missing.join(' ')}" as root`);
  }
  console.log(`[ensureDebianPackages] installing: ${missing.join(' ')}`);
  const run = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd!, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', ...missing]);
  const still = missing.filter((p) => !installed(p));
  if (still.length) throw new Error(`apt-get finished but these packages are still not installed: ${still.join(', ')}`);
  console.log(`[ensureDebianPackages] installed: ${missing.join(' ')}`);
}
