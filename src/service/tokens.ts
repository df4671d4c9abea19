/**
 * Bearer tokens: `syndb token create` writes them (hashed) to <data dir>/tokens.json; the server
 * re-reads the file when it changes, so new tokens work without a restart. SYNDB_ADMIN_TOKEN,
 * when set, is an extra token with full rights.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, type Caller, type Role } from '../model/caller.js';


interface TokenRecord { name: string; role: Role; sha256: string; created: string }

const hash = (t: string) => createHash('sha256').update(t).digest('hex');
const digest = (t: string) => createHash('sha256').update(t).digest();

export class TokenRegistry {
  private file: string;
  private mtime = -1;
  private records: TokenRecord[] = [];
  constructor(dataDir: string, private adminToken?: string) {
    this.file = join(dataDir, 'tokens.json');
  }

  private load() {
    if (!existsSync(this.file)) { this.records = []; return; }
    const m = statSync(this.file).mtimeMs;
    if (m === this.mtime) return;
    this.records = JSON.parse(readFileSync(this.file, 'utf8')).tokens ?? [];
    this.mtime = m;
  }

  /**
   * The caller a token stands for, or undefined if unknown. Every comparison is between two
   * 32-byte SHA-256 digests with crypto.timingSafeEqual, and every stored token is compared (no
   * early exit): the time taken does not depend on the token's length or on how much of it matches.
   */
  verify(token: string): Caller | undefined {
    const d = digest(token);
    const isAdmin = this.adminToken !== undefined && secretsEqual(d, digest(this.adminToken));
    if (isAdmin) return { user: 'admin', role: 'admin' };
    this.load();
    let found: TokenRecord | undefined;
    for (const r of this.records) if (secretsEqual(d, storedDigest(r.sha256)) && !found) found = r;
    return found ? { user: found.name, role: found.role } : undefined;
  }

  /** Create a token; only its hash is stored. Returns the token (shown once). */
  create(name: string, role: Role): string {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new Error(`token name "${name}": use 1-64 letters, digits, ".", "_", "@" or "-"`);
    if (!ROLES.includes(role)) throw new Error(`role "${role}": expected one of ${ROLES.join(', ')}`);
    this.load();
    if (this.records.some((r) => r.name === name)) throw new Error(`a token named "${name}" exists already`);
    const token = `syndb_${randomBytes(24).toString('base64url')}`;
    this.records.push({ name, role, sha256: hash(token), created: new Date().toISOString() });
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ tokens: this.records }, null, 2), { mode: 0o600 });
    const fd = openSync(tmp, 'r'); fsyncSync(fd); closeSync(fd);
    renameSync(tmp, this.file);
    return token;
  }
}

/** Two SHA-256 digests (always 32 bytes) compared in constant time. */
export function secretsEqual(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/** A stored hex digest as 32 bytes; a malformed record becomes a digest no token hashes to. */
function storedDigest(hex: unknown): Buffer {
  const b = typeof hex === 'string' && /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
  return b ?? randomBytes(32);
}
