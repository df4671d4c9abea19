/** Write serialisation of the service: one write per dataset at a time, SPARQL/GSP writes alone. */
import { describe, expect, it } from 'vitest';
import { WriteLocks } from '../src/service/write-locks.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WriteLocks', () => {
  it('runs writes of one dataset one after another, of different datasets side by side', async () => {
    const locks = new WriteLocks();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => { log.push(`${name}+`); await tick(ms); log.push(`${name}-`); return name; };
    const r = await Promise.all([locks.dataset('a', job('a1', 20)), locks.dataset('a', job('a2', 1)), locks.dataset('b', job('b1', 1))]);
    expect(r).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a2+')).toBeGreaterThan(log.indexOf('a1-'));
    expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-')); // b did not wait for a
  });

  it('an exclusive write waits for running dataset writes and holds back the ones that come after it', async () => {
    const locks = new WriteLocks();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => { log.push(`${name}+`); await tick(ms); log.push(`${name}-`); };
    await Promise.all([locks.dataset('a', job('a1', 20)), locks.all(job('all', 10)), locks.dataset('b', job('b1', 1)), locks.all(job('all2', 1))]);
    expect(log).toEqual(['a1+', 'a1-', 'all+', 'all-', 'b1+', 'b1-', 'all2+', 'all2-']);
  });

  it('a failed write does not block the ones queued behind it, and its error reaches its caller', async () => {
    const locks = new WriteLocks();
    const failed = locks.dataset('a', async () => { await tick(); throw new Error('boom'); });
    const next = locks.dataset('a', async () => 'ran');
    const all = locks.all(async () => 'alone');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ran');
    expect(await all).toBe('alone');
    await expect(locks.all(async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(await locks.dataset('b', async () => 'after')).toBe('after');
  });
});
