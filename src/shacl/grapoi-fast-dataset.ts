/**
 * shacl-engine (via grapoi 1.x) asks a PathList for its `dataset` once per value node of a property
 * shape (`resolved.node([term])` in ShapeValidator.validateProperty), and grapoi computes it each
 * time from every pointer in the list (a new Set of all their datasets). A property with n values
 * therefore costs O(n²): 10,000 keywords took 4 s, 300,000 would take hours on the main thread.
 *
 * A PathList's pointers are fixed when it is built (grapoi copies them in the constructor and never
 * reassigns them), and a pointer's dataset never changes, so the answer can be kept per list. The
 * getter below does the same computation once per list (and again only if the pointer array were
 * ever replaced or grown). Imported for its effect by shacl/shapes.ts and shacl/validator.ts.
 */
import PathList from 'grapoi/PathList.js';

interface Ptr { dataset: unknown }
interface List { ptrs: Ptr[] }

const memo = new WeakMap<object, { ptrs: Ptr[]; length: number; value: unknown }>();

const proto = (PathList as unknown as { prototype: object }).prototype;
const original = Object.getOwnPropertyDescriptor(proto, 'dataset');
if (original?.get && !(original.get as { fast?: boolean }).fast) {
  const fast = function (this: List) {
    const m = memo.get(this);
    if (m && m.ptrs === this.ptrs && m.length === this.ptrs.length) return m.value;
    let value: unknown = null;
    if (this.ptrs.length > 0) {
      const first = this.ptrs[0].dataset;
      value = this.ptrs.every((p) => p.dataset === first) ? first : null;
    }
    memo.set(this, { ptrs: this.ptrs, length: this.ptrs.length, value });
    return value;
  };
  (fast as { fast?: boolean }).fast = true;
  Object.defineProperty(proto, 'dataset', { ...original, get: fast });
}
