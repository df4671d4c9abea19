/**
 * Hand-curated content of the controlled vocabularies (input of scripts/build-vocabularies.ts).
 * Everything here is either a fact we checked (taxon ids, SPDX ids, ontology ids) or a
 * synonym that users type. Atlas terms are addressed by their Allen acronym / exact name so a
 * change of the reference files makes the build fail loudly instead of silently mis-mapping.
 */

/** Synonyms users type, added as skos:altLabel to the Allen mouse atlas term with this acronym. */
export const MOUSE_SYNONYMS: Record<string, string[]> = {
  VISp: ['V1', 'primary visual cortex', 'striate cortex', 'area 17'],
  VISl: ['LM', 'lateromedial area', 'lateral visual area'],
  VISal: ['AL', 'anterolateral visual area'],
  VISrl: ['RL', 'rostrolateral visual area'],
  VISpm: ['PM', 'posteromedial visual area'],
  VISam: ['AM', 'anteromedial visual area'],
  VIS: ['visual cortex'],
  SSp: ['S1', 'SI', 'primary somatosensory cortex'],
  'SSp-bfd': ['barrel cortex', 'S1 barrel field', 'barrel field', 'S1BF', 'wS1', 'primary somatosensory cortex, barrel field'],
  'SSp-bfd4': ['barrel cortex layer 4', 'S1 barrel field layer 4', 'barrel field layer 4', 'S1BF L4'],
  'SSp4': ['S1 layer 4', 'S1 L4'],
  SSs: ['S2', 'SII', 'secondary somatosensory cortex'],
  SS: ['somatosensory cortex'],
  MOp: ['M1', 'primary motor cortex'],
  MOs: ['M2', 'secondary motor cortex'],
  AUDp: ['A1', 'primary auditory cortex'],
  Isocortex: ['neocortex'],
  CTX: ['cortex'],
  HIP: ['hippocampus'],
  CA: ["Ammon's horn", 'cornu ammonis', 'hippocampus proper'],
  CP: ['caudate putamen', 'dorsal striatum'],
  ENT: ['entorhinal cortex'],
  root: ['brain', 'whole brain'],
};

/** Synonyms for Allen human atlas terms, by exact term name. */
export const HUMAN_SYNONYMS: Record<string, string[]> = {
  brain: ['whole brain', 'human brain'],
  'cerebral cortex': ['human cerebral cortex'],
};

/**
 * UBERON labels we are sure of, for UBERON terms used by the bridge but absent from the
 * UBERON vertebrate-head subset (which carries few brain terms). Synonyms after the label.
 */
export const UBERON_LABELS: Record<string, [string, ...string[]]> = {
  'UBERON:0001062': ['anatomical entity'],
  'UBERON:0000955': ['brain'],
  'UBERON:0000956': ['cerebral cortex', 'cortex cerebri', 'brain cortex'],
  'UBERON:0001893': ['telencephalon'],
  'UBERON:0001950': ['neocortex', 'isocortex'],
  'UBERON:0002436': ['primary visual cortex', 'striate cortex', 'V1'],
  'UBERON:0002037': ['cerebellum'],
  'UBERON:0001954': ["Ammon's horn", 'cornu ammonis', 'hippocampus proper'],
  'UBERON:0002421': ['hippocampal formation'],
  'UBERON:0001898': ['hypothalamus'],
  'UBERON:0002435': ['striatum'],
  'UBERON:0001891': ['midbrain', 'mesencephalon'],
  'UBERON:0000988': ['pons'],
  'UBERON:0001896': ['medulla oblongata', 'medulla'],
  'UBERON:0002028': ['hindbrain', 'rhombencephalon'],
  'UBERON:0002616': ['regional part of brain'],
  'UBERON:0000935': ['anterior commissure'],
  'UBERON:0000936': ['posterior commissure'],
  'UBERON:0000959': ['optic chiasma', 'optic chiasm'],
  'UBERON:0002336': ['corpus callosum'],
  'UBERON:0001945': ['superior colliculus'],
  'UBERON:0001946': ['inferior colliculus'],
  'UBERON:0002038': ['substantia nigra'],
  'UBERON:0002129': ['cerebellar cortex'],
  'UBERON:0001885': ['dentate gyrus of hippocampal formation', 'dentate gyrus'],
  'UBERON:0002728': ['entorhinal cortex'],
  // Not a brain part: the region of Hydra vulgaris' endodermal nerve net (animals without a brain
  // still need an anatomical location; examples/dendritic-consortium-hydra.json).
  'UBERON:0000925': ['endoderm'],
};

/**
 * Human atlas terms (by exact HBA name) mapped to UBERON by us, not by a bridge file. Only
 * whole, species-neutral structures; each target must be equivalent (per the mouse bridge) to a
 * mouse atlas term, which the build checks, so the UBERON id is confirmed by a second source.
 */
export const HUMAN_TO_UBERON: Record<string, string> = {
  brain: 'UBERON:0000955',
  telencephalon: 'UBERON:0001893',
  'cerebral cortex': 'UBERON:0000956',
  cerebellum: 'UBERON:0002037',
  hypothalamus: 'UBERON:0001898',
  striatum: 'UBERON:0002435',
  mesencephalon: 'UBERON:0001891',
  pons: 'UBERON:0000988',
  'hippocampal formation': 'UBERON:0002421',
};

export interface CuratedConcept {
  slug: string;
  label: string;
  altLabels: string[];
  hiddenLabels?: string[];
  definition: string;
  closeMatch?: string[];
  broader?: string;
}

/** NCBI Taxonomy: [taxon id, scientific name, common names (altLabel), hidden labels]. */
export const SPECIES: Array<{ id: number; name: string; common: string[]; hidden?: string[] }> = [
  { id: 10090, name: 'Mus musculus', common: ['mouse', 'house mouse'], hidden: ['mice'] },
  { id: 9606, name: 'Homo sapiens', common: ['human'], hidden: ['humans', 'man'] },
  { id: 10116, name: 'Rattus norvegicus', common: ['rat', 'Norway rat', 'brown rat'], hidden: ['rats'] },
  { id: 9544, name: 'Macaca mulatta', common: ['rhesus macaque', 'rhesus monkey', 'macaque'] },
  { id: 9541, name: 'Macaca fascicularis', common: ['crab-eating macaque', 'cynomolgus monkey', 'long-tailed macaque'] },
  { id: 7227, name: 'Drosophila melanogaster', common: ['fruit fly', 'vinegar fly', 'fly'], hidden: ['drosophila', 'flies'] },
  { id: 7955, name: 'Danio rerio', common: ['zebrafish'] },
  { id: 6239, name: 'Caenorhabditis elegans', common: ['C. elegans', 'nematode worm'], hidden: ['c elegans', 'worm'] },
  { id: 6087, name: 'Hydra vulgaris', common: ['hydra', 'brown hydra'] },
  { id: 9483, name: 'Callithrix jacchus', common: ['common marmoset', 'marmoset'] },
  { id: 9669, name: 'Mustela putorius furo', common: ['ferret', 'domestic ferret'] },
  { id: 59729, name: 'Taeniopygia guttata', common: ['zebra finch', 'songbird'] },
];

export const METHODS: CuratedConcept[] = [
  { slug: 'SBEM', label: 'serial block-face scanning electron microscopy', altLabels: ['SBEM', 'SBF-SEM', 'SBFSEM', 'serial block-face SEM', 'serial block face electron microscopy'],
    definition: 'Volume electron microscopy in which the face of a resin-embedded tissue block is imaged with a scanning electron microscope and then removed by an in-chamber ultramicrotome, repeatedly.' },
  { slug: 'ssTEM', label: 'serial-section transmission electron microscopy', altLabels: ['ssTEM', 'serial section TEM', 'serial-section TEM', 'TEM'],
    definition: 'Volume electron microscopy in which consecutive ultrathin sections are cut, collected on grids or tape and imaged with a transmission electron microscope.' },
  { slug: 'ATUM-SEM', label: 'automated tape-collecting ultramicrotome scanning electron microscopy', altLabels: ['ATUM-SEM', 'ATUM', 'ATUMtome SEM', 'serial-section SEM'],
    definition: 'Volume electron microscopy in which serial ultrathin sections are collected on tape by an automated ultramicrotome and imaged with a scanning electron microscope.' },
  { slug: 'FIB-SEM', label: 'focused ion beam scanning electron microscopy', altLabels: ['FIB-SEM', 'FIBSEM', 'focused ion beam SEM'],
    definition: 'Volume electron microscopy in which a focused ion beam mills away thin layers of the block face between scanning electron microscope images, giving near-isotropic voxels.' },
  { slug: 'multi-beam-SEM', label: 'multi-beam scanning electron microscopy', altLabels: ['multi-beam SEM', 'multibeam SEM', 'mSEM', 'MultiSEM'],
    definition: 'Scanning electron microscopy with many parallel primary beams imaging a section simultaneously, used for high-throughput serial-section connectomics.' },
  { slug: 'ExM', label: 'expansion microscopy', altLabels: ['ExM', 'expansion light microscopy'],
    definition: 'Light microscopy of tissue embedded in a swellable hydrogel and physically expanded, so that conventional optics resolve structures below the diffraction limit.' },
  { slug: 'two-photon', label: 'two-photon microscopy', altLabels: ['two-photon', '2P', '2PM', 'two-photon laser scanning microscopy', 'multiphoton microscopy', '2-photon microscopy'],
    definition: 'Laser scanning fluorescence microscopy with two-photon excitation, giving optical sectioning deep in scattering tissue, often in vivo.' },
  { slug: 'confocal', label: 'confocal microscopy', altLabels: ['confocal', 'confocal laser scanning microscopy', 'CLSM', 'LSCM'],
    definition: 'Fluorescence microscopy that rejects out-of-focus light with a pinhole in a conjugate focal plane, giving optical sections.',
    closeMatch: ['http://purl.obolibrary.org/obo/FBbi_00000251'] },
  { slug: 'light-sheet', label: 'light-sheet fluorescence microscopy', altLabels: ['light-sheet', 'LSFM', 'SPIM', 'selective plane illumination microscopy', 'light sheet microscopy'],
    definition: 'Fluorescence microscopy that illuminates the sample with a thin sheet of light perpendicular to the detection axis, giving fast optical sectioning with little photobleaching.' },
  { slug: 'widefield-fluorescence', label: 'widefield fluorescence microscopy', altLabels: ['widefield', 'wide-field fluorescence microscopy', 'epifluorescence microscopy', 'widefield fluorescence'],
    definition: 'Fluorescence microscopy in which the whole field of view is illuminated and imaged at once on a camera, without optical sectioning.' },
  { slug: 'XNH', label: 'X-ray holographic nano-tomography', altLabels: ['XNH', 'X-ray microscopy', 'synchrotron X-ray nano-tomography', 'synchrotron X-ray holographic nano-tomography', 'XRM'],
    definition: 'Synchrotron X-ray imaging with holographic phase contrast and tomographic reconstruction, resolving neurites in heavy-metal stained tissue at tens of nanometres.' },
  { slug: 'micro-CT', label: 'X-ray micro-computed tomography', altLabels: ['micro-CT', 'microCT', 'µCT', 'X-ray microtomography', 'X-ray micro-CT'],
    definition: 'X-ray computed tomography at micrometre resolution, used to map whole stained samples before targeted electron microscopy.' },
  { slug: 'cryo-ET', label: 'cryo-electron tomography', altLabels: ['cryo-ET', 'cryoET', 'electron cryotomography', 'cryo electron tomography'],
    definition: 'Transmission electron microscopy of vitrified, unstained samples tilted through a range of angles and reconstructed in 3D at molecular resolution.' },
];

export const EXPRESSION_KINDS: CuratedConcept[] = [
  { slug: 'knock-out', label: 'knock-out', altLabels: ['KO', 'knockout', 'gene knockout', 'null mutant'],
    definition: 'The gene is inactivated or deleted so that no functional product is made.' },
  { slug: 'knock-in', label: 'knock-in', altLabels: ['KI', 'knockin', 'gene knock-in'],
    definition: 'A sequence is inserted at a specific genomic locus, e.g. a tag, reporter or altered allele under the endogenous regulation.' },
  { slug: 'knock-down', label: 'knock-down', altLabels: ['KD', 'knockdown', 'gene knockdown', 'RNAi'],
    definition: 'The expression of the gene is reduced but not abolished, e.g. by RNA interference or antisense oligonucleotides.' },
  { slug: 'knock-sideways', label: 'knock-sideways', altLabels: ['knocksideways', 'KS', 'protein relocalisation'],
    definition: 'The protein is rapidly sequestered away from its normal location (e.g. by induced dimerisation to a mitochondrial anchor), inactivating it without changing its expression.' },
  { slug: 'overexpression', label: 'overexpression', altLabels: ['OE', 'over-expression', 'overexpressed'],
    definition: 'The gene product is made at higher than normal levels, e.g. from a transgene or viral vector.' },
];

/** SPDX licences: [SPDX id, short label, full name]. */
export const LICENSES: Array<{ id: string; short: string; name: string; alt?: string[] }> = [
  { id: 'CC0-1.0', short: 'CC0 1.0', name: 'Creative Commons Zero v1.0 Universal', alt: ['CC0', 'public domain dedication'] },
  { id: 'CC-BY-4.0', short: 'CC BY 4.0', name: 'Creative Commons Attribution 4.0 International', alt: ['CC-BY', 'CC BY'] },
  { id: 'CC-BY-SA-4.0', short: 'CC BY-SA 4.0', name: 'Creative Commons Attribution Share Alike 4.0 International', alt: ['CC BY-SA'] },
  { id: 'CC-BY-NC-4.0', short: 'CC BY-NC 4.0', name: 'Creative Commons Attribution Non Commercial 4.0 International', alt: ['CC BY-NC'] },
  { id: 'CC-BY-NC-SA-4.0', short: 'CC BY-NC-SA 4.0', name: 'Creative Commons Attribution Non Commercial Share Alike 4.0 International', alt: ['CC BY-NC-SA'] },
  { id: 'CC-BY-ND-4.0', short: 'CC BY-ND 4.0', name: 'Creative Commons Attribution No Derivatives 4.0 International', alt: ['CC BY-ND'] },
  { id: 'ODbL-1.0', short: 'ODbL 1.0', name: 'Open Data Commons Open Database License v1.0', alt: ['ODbL'] },
  { id: 'PDDL-1.0', short: 'PDDL 1.0', name: 'Open Data Commons Public Domain Dedication & License 1.0', alt: ['PDDL'] },
  { id: 'MIT', short: 'MIT', name: 'MIT License' },
  { id: 'Apache-2.0', short: 'Apache 2.0', name: 'Apache License 2.0', alt: ['Apache License, Version 2.0'] },
  { id: 'BSD-3-Clause', short: 'BSD 3-Clause', name: 'BSD 3-Clause "New" or "Revised" License', alt: ['BSD-3', 'New BSD License'] },
  { id: 'GPL-3.0-or-later', short: 'GPL 3.0 or later', name: 'GNU General Public License v3.0 or later', alt: ['GPLv3+', 'GPL-3.0+'] },
];

/** UBERON terms added although no atlas term maps to them: anatomical locations of animals without a brain (Hydra's endoderm). */
export const UBERON_EXTRA_TERMS = ['UBERON:0000925'];
