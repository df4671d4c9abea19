/** The ten SynDB compartments: URL slug, SynDB table name, row class and SKOS concept (ontologies/syndb.ttl). */
import { NS } from './namespaces.js';

export const COMPARTMENTS = [
  { slug: 'neuron', table: 'neuron', cls: 'Neuron' },
  { slug: 'dendrite', table: 'dendrite', cls: 'Dendrite' },
  { slug: 'axon', table: 'axon', cls: 'Axon' },
  { slug: 'pre-synaptic-terminal', table: 'pre_synaptic_terminal', cls: 'PresynapticTerminal' },
  { slug: 'synapse', table: 'synapse', cls: 'Synapse' },
  { slug: 'dendritic-spine', table: 'dendritic_spine', cls: 'DendriticSpine' },
  { slug: 'endoplasmic-reticulum', table: 'endoplasmic_reticulum', cls: 'EndoplasmicReticulum' },
  { slug: 'nucleus', table: 'nucleus', cls: 'Nucleus' },
  { slug: 'vesicle', table: 'vesicle', cls: 'Vesicle' },
  { slug: 'mitochondrion', table: 'mitochondria', cls: 'Mitochondrion' },
] as const;

export type CompartmentSlug = (typeof COMPARTMENTS)[number]['slug'];

export const compartmentConcept = (slug: string) => `${NS.syndbv}compartment/${slug}`;
export const compartmentClass = (slug: string) => {
  const c = COMPARTMENTS.find((x) => x.slug === slug);
  return c ? NS.syndb + c.cls : undefined;
};

/** Accepts the slug, SynDB's table name, or a plain-words spelling ("pre-synaptic terminal", "mitochondria"). */
export function findCompartment(input: string) {
  const k = input.trim().toLowerCase().replace(/[\s_]+/g, '-');
  return COMPARTMENTS.find((c) => c.slug === k || c.table.replace(/_/g, '-') === k || k === `${c.slug}s`
    || (k.startsWith(NS.syndbv) && k.endsWith(`/compartment/${c.slug}`)));
}
