// Generates the synthetic SynDB-style compartment tables in this folder.
// Deterministic (seeded PRNG): `node examples/syndb-style/generate.mjs` rewrites the same bytes.
// Values are SYNTHETIC but physically plausible: volumes in nm^3, areas in nm^2, lengths and
// centroids in nm, mesh_area_volume_ratio in 1/nm, sphericity in (0, 1], probabilities in [0, 1].
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let seed = 0x5eed2024;
function rand() { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (a, b) => a + (b - a) * rand();
const logBetween = (a, b) => Math.exp(between(Math.log(a), Math.log(b)));
function uuid() {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  h[12] = '4';
  h[16] = '89ab'[Math.floor(rand() * 4)];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
const sig = (x, n = 6) => Number(x.toPrecision(n));
const round = (x, d) => Number(x.toFixed(d));

/** Shared morphology columns from a volume (nm^3), a sphericity and a centroid (nm). */
function morphology(voxelVolume, sphericity, [x, y, z]) {
  const meshVolume = voxelVolume * between(0.95, 1.02);
  // sphericity = pi^(1/3) (6V)^(2/3) / A  =>  A = pi^(1/3) (6V)^(2/3) / sphericity
  const area = (Math.cbrt(Math.PI) * Math.pow(6 * meshVolume, 2 / 3)) / sphericity;
  return {
    voxel_volume: sig(voxelVolume),
    voxel_radius: round(Math.cbrt((3 * voxelVolume) / (4 * Math.PI)), 1), // radius of the equal-volume sphere
    mesh_volume: sig(meshVolume),
    mesh_surface_area: sig(area),
    mesh_area_volume_ratio: sig(area / meshVolume, 5),
    mesh_sphericity: round(sphericity, 3),
    centroid_x: round(x, 1),
    centroid_y: round(y, 1),
    centroid_z: round(z, 1),
  };
}
const near = ([x, y, z], r) => [x + between(-r, r), y + between(-r, r), Math.max(40, z + between(-r / 2, r / 2))];
const link = (parentId = '', parentTable = '', neuronId = '') => ({ parent_id: parentId, parent_table: parentTable, neuron_id: neuronId });

// neurons: 4 pyramidal (excitatory), 2 interneurons (inhibitory)
const neurons = [];
for (let i = 0; i < 6; i++) {
  const pyramidal = i < 4;
  const c = [between(8000, 92000), between(8000, 92000), between(4000, 36000)];
  neurons.push({
    cid: uuid(), ...link(),
    ...morphology(logBetween(3e11, 2e12), between(0.06, 0.18), c),
    polarity: 'multipolar',
    neuron_type: pyramidal ? 'pyramidal' : 'interneuron',
    direction: pyramidal ? 'efferent' : 'local',
    _c: c, _excitatory: pyramidal,
  });
}
// dendrites: 2 per pyramidal neuron (8)
const dendrites = [];
for (const n of neurons.slice(0, 4)) {
  for (let k = 0; k < 2; k++) {
    const c = near(n._c, 15000);
    dendrites.push({ cid: uuid(), ...link(n.cid, 'neuron', n.cid), ...morphology(logBetween(2e10, 1.5e11), between(0.08, 0.25), c), dendritic_spine_count: 0, _c: c, _n: n });
  }
}
// spines: 14, spread over the dendrites
const spines = [];
for (let i = 0; i < 14; i++) {
  const d = dendrites[i % dendrites.length];
  const c = near(d._c, 3000);
  d.dendritic_spine_count += 1;
  spines.push({ cid: uuid(), ...link(d.cid, 'dendrite', d._n.cid), ...morphology(logBetween(3e7, 4e8), between(0.55, 0.85), c), forms_synapse_with: '', _c: c, _n: d._n });
}
// synapses: 12 on spines (excitatory input from another pyramidal neuron), 3 on dendritic shafts (inhibitory input)
const transmitters = ['GABA', 'acetylcholine', 'glutamate', 'octopamine', 'serine', 'dopamine'];
function probabilities(main) {
  const p = Object.fromEntries(transmitters.map((t) => [t, t === main ? between(0.82, 0.97) : 0]));
  let rest = 1 - p[main];
  const others = transmitters.filter((t) => t !== main);
  others.forEach((t, j) => {
    const v = j === others.length - 1 ? rest : rest * between(0.1, 0.6);
    p[t] = v;
    rest -= v;
  });
  const rounded = Object.fromEntries(transmitters.map((t) => [t, round(p[t], 3)]));
  const sum = transmitters.reduce((s, t) => s + rounded[t], 0);
  rounded[main] = round(rounded[main] + 1 - sum, 3); // sum exactly 1.000
  return rounded;
}
const synapses = [];
let caveId = 184467;
function synapse(parent, parentTable, pre) {
  const c = near(parent._c, 400);
  const s = {
    cid: uuid(), ...link(parent.cid, parentTable, parent._n.cid),
    ...morphology(logBetween(2e6, 2e7), between(0.3, 0.55), c),
    connection_score: round(between(0.7, 0.99), 3),
    cleft_score: round(between(0.55, 0.98), 3),
    ...probabilities(pre._excitatory ? 'glutamate' : 'GABA'),
    cave_id: (caveId += 1 + Math.floor(rand() * 900)),
    pre_id: pre.cid,
    post_id: parent.cid,
  };
  synapses.push(s);
  return s;
}
for (const sp of spines.slice(0, 12)) {
  const candidates = neurons.slice(0, 4).filter((n) => n !== sp._n);
  const pre = candidates[Math.floor(rand() * candidates.length)];
  sp.forms_synapse_with = synapse(sp, 'dendritic-spine', pre).cid;
}
for (const d of dendrites.slice(0, 3)) synapse(d, 'dendrite', neurons[4 + (synapses.length % 2)]);
// mitochondria: 6 in dendrites, 3 in somata
const mitochondria = [];
for (const [parent, table] of [...dendrites.slice(0, 6).map((d) => [d, 'dendrite']), ...neurons.slice(0, 3).map((n) => [n, 'neuron'])]) {
  const owner = table === 'neuron' ? parent : parent._n;
  mitochondria.push({ cid: uuid(), ...link(parent.cid, table, owner.cid), ...morphology(logBetween(2e7, 3e8), between(0.4, 0.75), near(parent._c, 2000)) });
}

function toCsv(rows) {
  const cols = Object.keys(rows[0]).filter((k) => !k.startsWith('_'));
  const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
for (const [name, rows] of [['neuron', neurons], ['dendrite', dendrites], ['dendritic-spine', spines], ['synapse', synapses], ['mitochondrion', mitochondria]]) {
  writeFileSync(join(here, `${name}.csv`), toCsv(rows));
}
