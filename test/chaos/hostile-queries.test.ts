/**
 * Every hostile query of test/chaos/lib/hostile-queries.ts (and its concurrent storms), each
 * followed at once by a normal query and a normal write that must both succeed: no query may leave
 * the service without an engine. The answers to the hostile queries themselves must be 2xx or a
 * 4xx/503 problem, never a hang, and the process must stay up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileQueries } from './lib/hostile-queries.js';
import { send } from './lib/send.js';
import { normalRoundTrip, startChaosService, type ChaosService } from './lib/fixture.js';

let cs: ChaosService;
beforeAll(async () => { cs = await startChaosService(); }, 180_000);
afterAll(async () => cs?.close());

describe('hostile queries', () => {
  let n = 0;
  for (const h of hostileQueries()) {
    it(`${h.name}: then a normal query and a write succeed`, async () => {
      const body = h.query;
      const results = await Promise.all(Array.from({ length: h.concurrency ?? 1 }, () =>
        send(cs.svc.url, 'POST', `/sparql${h.params ? `?${h.params}` : ''}`, { headers: { 'content-type': 'application/sparql-query', accept: 'application/sparql-results+json' }, body, timeoutMs: 120_000 })));
      for (const r of results) {
        expect(r.hang, 'the hostile query hung').toBeFalsy();
        expect(r.status, r.body.slice(0, 300)).toBeGreaterThan(0);
        // a refusal is a problem document; 500 (an engine failure answered as a server error) is not acceptable
        expect(r.status === 500 || r.status === 502, r.body.slice(0, 300)).toBe(false);
        if (r.status >= 400) expect(String(r.headers['content-type'])).toMatch(/problem\+json/);
      }
      const rt = await normalRoundTrip(cs, ++n);
      expect([rt.query, rt.write], rt.detail).toEqual([200, 200]);
      expect(cs.svc.exited(), cs.svc.output().slice(-2000)).toBe(false);
    }, 300_000);
  }
});
