/**
 * A synthetic SWC neuron (deterministic for a seed): a soma, an axon going down and basal and
 * apical dendrites that branch as they grow, in micrometres. For picture tests and screenshots;
 * not a real reconstruction.
 */
export function syntheticNeuron(nodes: number, seed = 1): string {
  let s = seed >>> 0 || 1;
  const rand = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  const lines = ['# synthetic neuron (test/helpers/synthetic-swc.ts), not a real reconstruction; units: micrometres', '1 1 0 0 0 6 -1'];
  // growing tips: [id of the tip, type, x, y, z, direction]
  type Tip = { id: number; t: number; x: number; y: number; z: number; dx: number; dy: number; dz: number };
  const tips: Tip[] = [
    { id: 1, t: 2, x: 0, y: 0, z: 0, dx: 0, dy: -1, dz: 0 },
    { id: 1, t: 4, x: 0, y: 0, z: 0, dx: 0, dy: 1, dz: 0 },
    ...[0, 1, 2, 3].map((k) => ({ id: 1, t: 3, x: 0, y: 0, z: 0, dx: Math.cos(k * 1.6), dy: -0.3, dz: Math.sin(k * 1.6) })),
  ];
  let id = 1;
  while (id < nodes) {
    const i = Math.floor(rand() * tips.length);
    const tip = tips[i];
    const step = tip.t === 2 ? 3 : 2;
    const jitter = () => (rand() - 0.5) * 0.5;
    let dx = tip.dx + jitter(), dy = tip.dy + jitter(), dz = tip.dz + jitter();
    const len = Math.hypot(dx, dy, dz) || 1;
    dx /= len; dy /= len; dz /= len;
    const x = tip.x + dx * step, y = tip.y + dy * step, z = tip.z + dz * step;
    id++;
    lines.push(`${id} ${tip.t} ${x.toFixed(2)} ${y.toFixed(2)} ${z.toFixed(2)} ${(tip.t === 2 ? 0.4 : 0.8).toFixed(2)} ${tip.id}`);
    tips[i] = { id, t: tip.t, x, y, z, dx, dy, dz };
    if (rand() < 0.012 && tips.length < 400) tips.push({ id, t: tip.t, x, y, z, dx: dx + jitter() * 2, dy: dy + jitter() * 2, dz: dz + jitter() * 2 });
  }
  return `${lines.join('\n')}\n`;
}

/** Publish "skeleton-example" (mouse V1, FIB-SEM) with one SWC asset, neuron-1.swc, as version 1. */
export async function addSkeletonDataset(svc: { fetch(path: string, init?: RequestInit & { token?: string | null }): Promise<Response> }, swc: string, token = 'test-admin-token'): Promise<void> {
  const ds = { id: 'skeleton-example', title: 'Synthetic neuron skeleton (test data)', description: 'A synthetic SWC skeleton made by test/helpers/synthetic-swc.ts; not a real reconstruction.', creators: [{ name: 'Doe, Jane', type: 'Person' }], license: 'CC-BY-4.0', species: 'mouse', brainRegion: 'VISp', microscopyMethod: 'FIB-SEM', compartments: ['neuron'] };
  const check = async (res: Promise<Response>, status: number) => { const r = await res; if (r.status !== status) throw new Error(`${r.url}: ${r.status} ${await r.text()}`); };
  await check(svc.fetch('/datasets', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(ds) }), 201);
  await check(svc.fetch('/datasets/skeleton-example/assets?filename=neuron-1.swc', { method: 'POST', token, headers: { 'content-type': 'text/plain' }, body: swc }), 201);
  await check(svc.fetch('/datasets/skeleton-example/versions', { method: 'POST', token }), 201);
}
