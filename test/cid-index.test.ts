/** The compact cid index of table uploads: every distinct cid is new, every repeat is found with its first row. */
import { describe, expect, it } from 'vitest';
import { CidIndex } from '../src/model/tables/cid-index.js';

describe('CidIndex', () => {
  it('tells 300,000 distinct cids apart and finds each repeat with the row it first appeared in', () => {
    const ix = new CidIndex(16); // starts small: grows many times
    for (let i = 1; i <= 300_000; i++) expect(ix.add(i % 3 ? `s${i}` : String(864691135000000000n + BigInt(i)), i)).toBeUndefined();
    expect(ix.size).toBe(300_000);
    expect(ix.add('s4', 400_001)).toBe(4);
    expect(ix.add(String(864691135000000000n + 299_997n), 400_002)).toBe(299_997);
    expect(ix.has('s299998')).toBe(true);
    expect(ix.has('s299997')).toBe(false); // 299,997 was written as a number
    expect(ix.has('')).toBe(false);
    expect(ix.add('', 7)).toBeUndefined();
    expect(ix.has('')).toBe(true);
    expect(ix.size).toBe(300_001);
  });
});
