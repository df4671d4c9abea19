/**
 * The cids of a table being uploaded, in 12 bytes a row instead of a Map of strings (~100 bytes a
 * row): an open-addressing hash table of 64-bit hashes and first row numbers in typed arrays, so
 * that a 1,000,000-row upload keeps ~12 MB, not ~100 MB, for its uniqueness check.
 *
 * A hash can collide, so a hit is only a suspect: `add` returns the earlier row whose cid has the
 * same hash, and the caller confirms it by comparing the two strings (reading the earlier row back
 * from its spool file) before it reports a duplicate. `has` answers for link resolution, where a
 * false positive has a chance of about n / 2^64.
 */

/** Two independent 32-bit hashes of a string (FNV-1a and a multiplicative mix), as one 64-bit key. */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  // 0 marks an empty slot: keep the key's first half non-zero
  return [(a >>> 0) || 1, (b ^ (b >>> 16)) >>> 0];
}

export class CidIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private row: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 16) {
    let size = 1 << 4;
    while (size < capacity * 2) size <<= 1;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.row = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Slot of the key, or of the empty slot where it belongs. */
  private slot(h: number, l: number): number {
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & this.mask;
    while (this.hi[i] !== 0 && (this.hi[i] !== h || this.lo[i] !== l)) i = (i + 1) & this.mask;
    return i;
  }

  /** Record the cid of `row`; returns the earlier row with the same hash (a suspected duplicate), else undefined. */
  add(cid: string, row: number): number | undefined {
    const [h, l] = hash64(cid);
    const i = this.slot(h, l);
    if (this.hi[i] !== 0) return this.row[i];
    this.hi[i] = h;
    this.lo[i] = l;
    this.row[i] = row;
    if (++this.count * 2 > this.mask) this.grow();
    return undefined;
  }

  has(cid: string): boolean {
    const [h, l] = hash64(cid);
    return this.hi[this.slot(h, l)] !== 0;
  }

  private grow(): void {
    const { hi, lo, row } = this;
    const size = (this.mask + 1) * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.row = new Uint32Array(size);
    this.mask = size - 1;
    for (let j = 0; j < hi.length; j++) {
      if (hi[j] === 0) continue;
      const i = this.slot(hi[j], lo[j]);
      this.hi[i] = hi[j];
      this.lo[i] = lo[j];
      this.row[i] = row[j];
    }
  }
}
