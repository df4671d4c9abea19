/** The parse-worker pool: errors cross the thread boundary as themselves; a stuck job ends in a 503 and the pool recovers. */
import { afterAll, describe, expect, it } from 'vitest';
import { CheckPool, ParseUnavailableError } from '../src/service/check-pool.js';
import { DEFAULT_INPUT_LIMITS, InputLimitError } from '../src/model/input-limits.js';
import { InputError } from '../src/model/problems.js';
import { GraphSyntaxError } from '../src/service/graph-body.js';

const pools: CheckPool[] = [];
const pool = (timeoutMs = 170_000) => { const p = new CheckPool({ size: 1, baseIri: 'http://localhost:3030', limits: DEFAULT_INPUT_LIMITS, timeoutMs }); pools.push(p); return p; };
afterAll(async () => { for (const p of pools) await p.close(); });
const dataset = { id: 'pool-test', title: 'Pool test', description: 'd', creators: [{ name: 'Doe, Jane' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'V1', microscopyMethod: 'SBEM', compartments: ['synapse'] };

describe('CheckPool', () => {
  it('checks an upload in a worker, and errors come back with their class', async () => {
    const p = pool();
    const ok = await p.check(JSON.stringify(dataset), 'json');
    expect(ok.report.conforms).toBe(true);
    expect(ok.parsed.id).toBe('pool-test');
    expect(ok.quads.some((q) => q.predicate.value === 'http://purl.org/dc/terms/title' && q.object.value === 'Pool test')).toBe(true);
    const limit = await p.check(JSON.stringify({ ...dataset, keywords: Array.from({ length: DEFAULT_INPUT_LIMITS.maxItems + 1 }, (_, i) => `k${i}`) }), 'json').catch((e) => e);
    expect(limit).toBeInstanceOf(InputLimitError);
    expect(limit.setting).toBe('SYNDB_MAX_INPUT_ITEMS');
    expect(await p.check('{not json', 'json').catch((e) => e)).toBeInstanceOf(InputError);
    expect(await p.parseGraph('<http://a> <http://b> .', 'application/n-triples', 'http://x/').catch((e) => e)).toBeInstanceOf(GraphSyntaxError);
    expect(await p.parseGraph('<http://a> <http://b> "c" .', 'application/n-triples', 'http://x/')).toEqual(['<http://a> <http://b> "c" .']);
  }, 180_000);

  it('a job past the timeout ends with ParseUnavailableError (503)', async () => {
    const p = pool(1); // the worker cannot even start within 1 ms
    const e = await p.check(JSON.stringify(dataset), 'json').catch((x) => x);
    expect(e).toBeInstanceOf(ParseUnavailableError);
    expect(e.status).toBe(503);
    expect(e.message).toContain('SYNDB_PARSE_TIMEOUT_MS');
  }, 60_000);

  it('after close, jobs are refused with 503', async () => {
    const p = pool();
    await p.close();
    expect(await p.check('{}', 'json').catch((e) => e)).toBeInstanceOf(ParseUnavailableError);
  });
});
