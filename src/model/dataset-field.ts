/** One key of the Dataset JSON, as scripts/generate-artefacts.ts reads it from the shapes (src/model/generated/dataset-fields.ts). */
export type FieldKind = 'string' | 'integer' | 'date' | 'dateTime' | 'term' | 'link' | 'object';

export interface DatasetField {
  /** The JSON key. */
  key: string;
  /** sh:name of the property shape (rdfs:label of an extra field). */
  label: string;
  /** sh:description (rdfs:comment). */
  description: string;
  /** The RDF properties the values are stored as on the parent node (none for keys kept another way, e.g. an ORCID iD as the node's IRI). */
  paths: string[];
  /** sh:minCount >= 1 and no default. */
  required: boolean;
  /** A JSON array of values. */
  list: boolean;
  /** string/integer/date/dateTime: a literal; term: a vocabulary term (name, synonym, CURIE or IRI) of termClass; link: an id, DOI or URL (or an object); object: a JSON object of `fields`. */
  kind: FieldKind;
  termClass?: string;
  enum?: string[];
  default?: string;
  pattern?: string;
  /** The key a plain string stands for, when an object may be written as a string. */
  shorthand?: string;
  formLabel?: string;
  formHelp?: string;
  fields?: DatasetField[];
}
