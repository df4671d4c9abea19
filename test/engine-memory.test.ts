import { describe, expect, it } from 'vitest';
import { Store, namedNode } from 'oxigraph';
import { reserveEngineHeap } from '../src/store/embedded/engine-memory.js';

const MiB = 2 ** 20;
const heap = () => { const m = process.memoryUsage(); return m.external - m.arrayBuffers; };
const triples = (n: number) => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`<https://example.org/r/${i}> <https://example.org/p/${i % 7}> "${i}"^^<http://www.w3.org/2001/XMLSchema#integer> .`);
  return Buffer.from(lines.join('\n') + '\n');
};

describe('reserveEngineHeap', () => {
  it('grows the engine heap in one step, and a load then uses that memory instead of growing it', () => {
    const data = triples(200_000);
    const h0 = heap();
    reserveEngineHeap(384 * MiB);
    const h1 = heap();
    expect(h1 - h0).toBeGreaterThanOrEqual(380 * MiB);
    const s = new Store();
    s.load(data, { format: 'application/n-triples', to_graph_name: namedNode('https://example.org/g'), no_transaction: true });
    expect(s.size).toBe(200_000);
    expect(heap() - h1, 'the load fits in the reserved memory').toBeLessThan(4 * MiB);
    expect(h1 - h0).toBeLessThan(400 * MiB);
    // reserving again what is already free grows nothing
    reserveEngineHeap(64 * MiB);
    expect(heap() - h1).toBeLessThan(4 * MiB);
    expect(s.size).toBe(200_000);
  });

  it('does nothing for small loads and never reserves past its cap', () => {
    const h0 = heap();
    reserveEngineHeap(4 * MiB);
    expect(heap()).toBe(h0);
    // one reservation stays under the 32-bit engine's 2 GiB allocation limit (past it the engine traps)
    reserveEngineHeap(64 * 2 ** 30);
    expect(heap() - h0).toBeLessThanOrEqual(2 ** 30 + 4 * MiB);
    const s = new Store();
    s.load(triples(10), { format: 'application/n-triples' });
    expect(s.size).toBe(10);
  });
});
