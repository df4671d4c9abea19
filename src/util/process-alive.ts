/** Whether a process runs: the one liveness check used by the stores' lock files and leases. */

/** Is a process with this pid alive (on this host)? EPERM means it runs under another user. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
