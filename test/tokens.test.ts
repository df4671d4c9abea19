/** Token checks: the admin token and stored tokens match exactly, whatever the length of the guess. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenRegistry, secretsEqual } from '../src/service/tokens.js';
import { createHash } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'syndb-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ADMIN = 'admin-secret-0123456789';

describe('TokenRegistry.verify', () => {
  const reg = new TokenRegistry(dir, ADMIN);
  const alice = reg.create('alice', 'contributor');

  it('knows the admin token and a created token', () => {
    expect(reg.verify(ADMIN)).toEqual({ user: 'admin', role: 'admin' });
    expect(reg.verify(alice)).toEqual({ user: 'alice', role: 'contributor' });
  });

  it('refuses prefixes, extensions, other lengths and the stored hash itself', () => {
    for (const t of ['', 'a', ADMIN.slice(0, -1), `${ADMIN}x`, ADMIN.toUpperCase(), alice.slice(0, -1), `${alice}=`, 'x'.repeat(10_000),
      createHash('sha256').update(alice).digest('hex')]) {
      expect(reg.verify(t), JSON.stringify(t.slice(0, 40))).toBeUndefined();
    }
  });

  it('a malformed record in tokens.json matches nothing and does not break the others', () => {
    const file = join(dir, 'tokens.json');
    const good = createHash('sha256').update('syndb_good').digest('hex');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'odd', role: 'admin', sha256: 'zz', created: '' }, { name: 'bob', role: 'reader', sha256: good, created: '' }] }));
    const fresh = new TokenRegistry(dir);
    expect(fresh.verify('zz')).toBeUndefined();
    expect(fresh.verify('')).toBeUndefined();
    expect(fresh.verify('syndb_good')).toEqual({ user: 'bob', role: 'reader' });
  });

  it('secretsEqual compares fixed-length digests only (a length mismatch is a programming error, not a quick "no")', () => {
    const a = createHash('sha256').update('a').digest(), b = createHash('sha256').update('b').digest();
    expect(secretsEqual(a, a)).toBe(true);
    expect(secretsEqual(a, b)).toBe(false);
    expect(() => secretsEqual(a, Buffer.alloc(3))).toThrow();
  });
});
