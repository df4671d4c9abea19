/** One search index and one collection service per ServiceContext, created on first use. */
import type { ServiceContext } from './context.js';
import type { Caller } from '../model/caller.js';
import { CollectionService, type CollectionRecord } from './collections.js';
import { loadVocabulary } from '../model/vocabulary.js';
import { SearchIndex, type CollectionView } from '../search/index.js';
import type { SearchDoc } from '../search/documents.js';
import { fold } from '../search/text.js';

export interface SearchServices {
  index: SearchIndex;
  collections: CollectionService;
  /** The collections `caller` may read, as the search compiler sees them. */
  view(caller: Caller): CollectionView;
  /** Does the collection contain the dataset (explicit member, or carrier of the tag)? */
  contains(c: CollectionRecord, doc: SearchDoc): boolean;
}

const registry = new WeakMap<ServiceContext, Promise<SearchServices>>();

export function searchServices(ctx: ServiceContext): Promise<SearchServices> {
  let s = registry.get(ctx);
  if (!s) {
    s = create(ctx);
    registry.set(ctx, s);
    s.catch(() => registry.delete(ctx));
  }
  return s;
}

async function create(ctx: ServiceContext): Promise<SearchServices> {
  const vocab = await loadVocabulary();
  const index = new SearchIndex({ store: ctx.store, iris: ctx.iris, catalog: ctx.catalog }, vocab);
  const collections = new CollectionService({ store: ctx.store, iris: ctx.iris, catalog: ctx.catalog, shapes: ctx.datasets.d.shapes, ontology: ctx.datasets.d.ontology });
  await collections.load();
  // Draft edits do not show in the catalog: DatasetService tells us (when it offers onChange).
  (ctx.datasets as unknown as { onChange?: (fn: (id: string) => void) => void }).onChange?.((id) => index.markDirty(id));
  await index.sync();
  const contains = (c: CollectionRecord, doc: SearchDoc) =>
    c.kind === 'tag' ? doc.tags.some((t) => fold(t) === fold(c.title)) : c.members.some((m) => m.id === doc.id);
  const view = (caller: Caller): CollectionView => {
    const readable = collections.list(caller);
    const wrap = (c: CollectionRecord) => ({ id: c.id, title: c.title, has: (d: SearchDoc) => contains(c, d) });
    return {
      all: () => readable.map(wrap),
      find: (ref) => {
        const k = fold(ref.trim());
        const c = readable.find((x) => x.id === ref.trim()) ?? readable.find((x) => fold(x.title) === k);
        return c && wrap(c);
      },
      suggest: (ref) => {
        const k = fold(ref);
        return readable.filter((c) => fold(c.title).includes(k) || c.id.includes(k) || k.includes(c.id)).slice(0, 5).map((c) => ({ value: c.id, label: c.title }));
      },
    };
  };
  return { index, collections, view, contains };
}
