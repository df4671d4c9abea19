/** Short symbols of the QUDT units our table columns use (http://qudt.org/vocab/unit/NanoM3 -> nm³). */
const QUDT = 'http://qudt.org/vocab/unit/';

const SYMBOLS: Record<string, string> = {
  NanoM: 'nm', NanoM2: 'nm²', NanoM3: 'nm³', 'PER-NanoM': 'nm⁻¹', MicroM: 'µm', MicroM2: 'µm²', MicroM3: 'µm³', 'PER-MicroM': 'µm⁻¹',
  MilliM: 'mm', M: 'm', SEC: 's', MilliSEC: 'ms', HZ: 'Hz', DEG: '°', RAD: 'rad', PERCENT: '%', NUM: 'count', UNITLESS: '',
};

/** The symbol of a unit IRI; the IRI's last segment for a unit not listed; '' for none or a unitless quantity. */
export function unitSymbol(iri: string | undefined): string {
  if (!iri) return '';
  const local = iri.startsWith(QUDT) ? iri.slice(QUDT.length) : iri.slice(Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#')) + 1);
  return SYMBOLS[local] ?? local;
}
