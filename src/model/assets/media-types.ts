/**
 * The source asset kinds we accept, by file name extension, with their media types.
 * IANA registers model/gltf-binary (.glb), model/gltf+json (.gltf) and model/obj (.obj).
 * PLY and SWC have no IANA registration: PLY is served as application/octet-stream and SWC as
 * text/plain, each with a dcterms:format naming the format.
 */
import { NS } from '../namespaces.js';

export type AssetKind = 'Mesh' | 'SkeletonSWC';

export interface AssetType {
  ext: string;
  kind: AssetKind;
  mediaType: string;
  /** A human-readable format name, recorded as dcterms:format when the media type does not name the format. */
  format?: string;
  /** The first bytes every such file starts with (checked on upload). */
  magic?: string;
}

export const ASSET_TYPES: AssetType[] = [
  { ext: 'glb', kind: 'Mesh', mediaType: 'model/gltf-binary', magic: 'glTF' },
  { ext: 'gltf', kind: 'Mesh', mediaType: 'model/gltf+json' },
  { ext: 'obj', kind: 'Mesh', mediaType: 'model/obj' },
  { ext: 'ply', kind: 'Mesh', mediaType: 'application/octet-stream', format: 'PLY (Polygon File Format)', magic: 'ply' },
  { ext: 'swc', kind: 'SkeletonSWC', mediaType: 'text/plain', format: 'SWC (neuron morphology)' },
];

export const IANA_MEDIA_TYPES = 'https://www.iana.org/assignments/media-types/';
export const mediaTypeIri = (mediaType: string) => IANA_MEDIA_TYPES + mediaType;
export const assetClassIri = (kind: AssetKind) => NS.syndb + kind;

/** The asset type of a file name, or undefined when its extension is not one we accept. */
export function assetTypeOf(filename: string): AssetType | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(filename);
  return m ? ASSET_TYPES.find((t) => t.ext === m[1].toLowerCase()) : undefined;
}

/** A file name usable as an IRI segment and download name: [A-Za-z0-9._-], 1-120 characters, not starting with a dot. */
export const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}$/;
