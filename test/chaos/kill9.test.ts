/**
 * 20 kill -9 cycles of the service process while three writers work concurrently over HTTP:
 * 0 acknowledged writes lost, 0 failed restarts. bench/chaos.ts runs 100 cycles.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startChaosService, type ChaosService } from './lib/fixture.js';
import { killCycles } from './lib/kill-cycles.js';

const CYCLES = Number(process.env.SYNDB_CHAOS_KILLS ?? 20);
let cs: ChaosService;
beforeAll(async () => { cs = await startChaosService(); }, 180_000);
afterAll(async () => cs?.close());

it(`${CYCLES} kill -9 cycles with concurrent writers: nothing acknowledged lost, every restart succeeds`, async () => {
  const r = await killCycles(cs, CYCLES, 9, (s) => console.log(s));
  console.log(`kill -9: ${r.cycles} cycles, ${r.acked} acknowledged writes checked, ${r.lost.length} lost, restart p50 ${Math.round(r.restartMs.sort((a, b) => a - b)[r.restartMs.length >> 1] ?? 0)} ms`);
  expect(r.failedRestarts).toEqual([]);
  expect(r.lost).toEqual([]);
  expect(r.cycles).toBe(CYCLES);
  expect(r.acked).toBeGreaterThan(CYCLES);
}, 1_200_000);
