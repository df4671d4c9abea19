/**
 * sh:pattern is an XPath regular expression (SHACL -> SPARQL REGEX -> XPath fn:matches), not a
 * JavaScript one. The differences that matter for the row shapes are rewritten here so that the
 * compiled RegExp answers as a SHACL validator (Apache Jena) does:
 *  - `\s` is [ \t\n\r] in XPath (JavaScript adds NBSP, U+2000…, U+3000, BOM, \v, \f, U+2028…),
 *    `\S` its complement: "\u00a0" is non-empty text for SHACL;
 *  - `.` is [^\n\r] in XPath (JavaScript also excludes U+2028 and U+2029);
 *  - `\d` is any Unicode decimal digit (\p{Nd}).
 * What has no faithful JavaScript equivalent is refused (the compiler then refuses the shape):
 * `\w`/`\W` and `\i \I \c \C` (XML name classes), `\p{Is…}` block escapes, class subtraction
 * `[a-z-[aeiou]]`, and the flags m, x, q.
 */
const XPATH_SPACE = ' \\t\\n\\r';

export function xpathRegex(pattern: string, flags = ''): RegExp {
  for (const f of flags) if (f !== 's' && f !== 'i') throw new Error(`sh:flags "${f}" is not supported by the table compiler (only s and i)`);
  const dotAll = flags.includes('s');
  const fail = (why: string): never => { throw new Error(`the sh:pattern ${JSON.stringify(pattern)} uses ${why}, which the table compiler cannot evaluate as XPath does`); };
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined) fail('a trailing backslash');
      if (n === 's') out += inClass ? XPATH_SPACE : `[${XPATH_SPACE}]`;
      else if (n === 'S') out += inClass ? fail('\\S inside a class') : `[^${XPATH_SPACE}]`;
      else if (n === 'd') out += '\\p{Nd}';
      else if (n === 'D') out += inClass ? fail('\\D inside a class') : '\\P{Nd}';
      else if ('wWiIcC'.includes(n)) fail(`\\${n}`);
      else if ((n === 'p' || n === 'P') && pattern[i + 1] === '{' && pattern.slice(i + 2, i + 4) === 'Is') fail('a block escape');
      else out += `\\${n}`;
      continue;
    }
    if (inClass) {
      if (c === '-' && pattern[i + 1] === '[') fail('class subtraction');
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') { out += '^'; i++; }
      if (pattern[i + 1] === ']') { out += '\\]'; i++; } // a leading ] is a literal in XPath
    } else if (c === '.') out += dotAll ? '[^]' : '[^\\n\\r]';
    else out += c;
  }
  return new RegExp(out, `${flags.includes('i') ? 'i' : ''}u`);
}
