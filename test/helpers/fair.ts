/** Independent referees for FAIR publication tests: rdflib (JSON-LD, Python), Apache Jena (Turtle, RDF/XML), xmllint / Python ElementTree (XML). */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'n3';
import { ensureDebianPackages } from './debian.js';
import { JENA } from './jena.js';

export const PY = '/usr/bin/python3';
export function ensureReferees() { ensureDebianPackages(['python3-rdflib', 'libxml2-utils']); }

const dir = mkdtempSync(join(tmpdir(), 'syndb-fair-'));
let n = 0;
export function tmpFile(name: string, text: string): string {
  const f = join(dir, `${n++}-${name}`);
  writeFileSync(f, text);
  return f;
}

/** Parse RDF documents with Python's rdflib (an independent JSON-LD processor and Turtle/RDF-XML parser), one process for all; N-Triples out. */
export function rdflibNTriples(docs: Array<{ data: string; format: 'json-ld' | 'turtle' | 'xml' }>): string[] {
  const script = `import sys, json, rdflib
out = []
for d in json.loads(sys.stdin.read()):
    g = rdflib.Graph()
    g.parse(data=d["data"], format=d["format"])
    out.append(g.serialize(format='nt'))
sys.stdout.write(json.dumps(out))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`rdflib could not parse: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

/** Apache Jena riot --validate --strict on files (one JVM): resolves to the error text ('' when all parse cleanly). */
export function jenaValidateFiles(files: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(JENA, ['riot', '--validate', '--strict', ...files], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve(err || /ERROR|WARN/.test(stderr + stdout) ? `${stderr}${stdout}${err ? err.message : ''}` : '');
    });
  });
}

/** N-Triples text -> set of canonical triple keys (via N3.js; literals typed xsd:string when plain). */
export function tripleSet(nt: string): Set<string> {
  const out = new Set<string>();
  for (const q of new Parser({ format: 'application/n-triples' }).parse(nt)) {
    const t = (x: typeof q.object) => x.termType === 'Literal' ? `${JSON.stringify(x.value)}@${x.language}^^${x.datatype.value}` : `${x.termType}:${x.value}`;
    out.add(`${t(q.subject)} ${t(q.predicate)} ${t(q.object)}`);
  }
  return out;
}

/** xmllint --noout: undefined when well-formed, else the error text. */
export function xmlWellFormed(xml: string): string | undefined {
  const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  return r.status === 0 ? undefined : r.stderr;
}

export interface XmlNode { tag: string; attrs: Record<string, string>; text: string; children: XmlNode[] }

/** Parse XML with Python's ElementTree into a plain tree (namespaces as {ns}local). */
export function parseXml(xml: string): XmlNode {
  const script = `import sys, json, xml.etree.ElementTree as ET
def conv(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": (e.text or "").strip(), "children": [conv(c) for c in e]}
sys.stdout.write(json.dumps(conv(ET.fromstring(sys.stdin.buffer.read()))))`;
  const r = spawnSync(PY, ['-c', script], { input: xml, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ElementTree could not parse the XML: ${r.stderr}`);
  return JSON.parse(r.stdout) as XmlNode;
}

/** Parse many XML documents in one Python process; a string in place of a document that is not well-formed (expat's message). */
export function parseXmlMany(xmls: string[]): Array<XmlNode | string> {
  const script = `import sys, json, xml.etree.ElementTree as ET
def conv(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": (e.text or "").strip(), "children": [conv(c) for c in e]}
out = []
for x in json.loads(sys.stdin.read()):
    try:
        out.append(conv(ET.fromstring(x.encode("utf-8"))))
    except ET.ParseError as err:
        out.append(str(err))
sys.stdout.write(json.dumps(out))`;
  const r = spawnSync(PY, ['-c', script], { input: JSON.stringify(xmls), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`ElementTree failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<XmlNode | string>;
}

/** Every descendant (or self) with this local name. */
export function findAll(n: XmlNode, local: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (x: XmlNode) => { if (x.tag.replace(/^\{[^}]*\}/, '') === local) out.push(x); x.children.forEach(walk); };
  walk(n);
  return out;
}
export const first = (n: XmlNode, local: string) => findAll(n, local)[0];
