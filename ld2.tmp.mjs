import { Store, namedNode } from 'oxigraph';
const G = 'https://syndb.example.org/datasets/x/tables/synapse';
const mk = (n) => { let nt = ''; for (let i = 0; i < n / 10; i++) {
  const s = `<${G}/rows/${i}>`;
  const props = [['cid', `"${i}"`], ['pre', `"${864691135000000000n + BigInt(i)}"^^<http://www.w3.org/2001/XMLSchema#integer>`], ['post', `"${864691136000000000n + BigInt(i)}"^^<http://www.w3.org/2001/XMLSchema#integer>`], ['size', `"${i * 3}"^^<http://www.w3.org/2001/XMLSchema#integer>`], ['x', `"${i * 1.5}"^^<http://www.w3.org/2001/XMLSchema#double>`], ['y', `"${i * 2.5}"^^<http://www.w3.org/2001/XMLSchema#double>`], ['z', `"${i * 0.5}"^^<http://www.w3.org/2001/XMLSchema#double>`], ['table', `<${G}>`], ['type', `<https://syndb.example.org/ontology#Synapse>`], ['label', `"synapse ${i}"`]];
  for (const [p, o] of props) nt += `${s} <https://syndb.example.org/ontology#${p}> ${o} .\n`; } return Buffer.from(nt); };
const big = mk(1000000);
const mode = process.argv[2];
const time = (name, f) => { const c0 = process.cpuUsage(); const t0 = performance.now(); const r = f(); const c = process.cpuUsage(c0); console.log(mode, name, r, ((performance.now() - t0) / 1000).toFixed(2), 's wall', (c.user / 1e6).toFixed(2), 'user', (c.system / 1e6).toFixed(2), 'sys'); };
if (mode === 'warm') time('warmup 200k', () => { const s = new Store(); s.load(mk(200000), { format: 'application/n-triples', to_graph_name: namedNode(G), no_transaction: true }); return s.size; });
const keep = [];
if (mode.startsWith('pre')) time('pre-grow', () => { const mb = Number(mode.slice(3)); try { new Store().load(Buffer.alloc(mb * 1024 * 1024), { format: 'application/n-triples' }); } catch (e) { return String(e.message).slice(0, 60); } return 'loaded?'; });
if (mode === 'keep') time('first kept', () => { const s = new Store(); s.load(big, { format: 'application/n-triples', to_graph_name: namedNode(G), no_transaction: true }); keep.push(s); return s.size; });
if (mode === 'drop') time('first dropped', () => { const s = new Store(); s.load(big, { format: 'application/n-triples', to_graph_name: namedNode(G), no_transaction: true }); const n = s.size; s.free(); return n; });
if (mode === 'grow') time('grow', () => { const s = new Store(); s.load(big, { format: 'application/n-triples', to_graph_name: namedNode(G), no_transaction: true }); s.clear(); return s.size; });
time('1M', () => { const s = new Store(); s.load(big, { format: 'application/n-triples', to_graph_name: namedNode(G), no_transaction: true }); return s.size; });
const mu = process.memoryUsage(); console.log(mode, 'rss', (mu.rss / 2 ** 20).toFixed(0), 'MB external', (mu.external / 2 ** 20).toFixed(0), 'arrayBuffers', (mu.arrayBuffers / 2 ** 20).toFixed(0), 'input', (big.length / 2 ** 20).toFixed(0));
