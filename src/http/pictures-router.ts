/**
 * Pictures drawn from our own data, as image/svg+xml (the pages inline the same pictures), and the
 * HTML page of a table for browsers:
 *   GET /datasets/{id}/connectome.svg                                 heatmap of the imported connectome matrix
 *   GET /datasets/{id}/tables/{t}/columns/{column}/histogram.svg      histogram of a numeric column
 *   GET /datasets/{id}/assets/{name}/projection.svg                   three projections of an SWC skeleton
 *   GET /datasets/{id}/tables/{t} with Accept preferring text/html   the table page (else the tables router's CSV)
 * Each takes ?version=n|draft like the data it draws. Mounted before tablesRouter.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { ServiceContext } from '../service/context.js';
import { TableService } from '../service/tables.js';
import { NotFoundError } from '../model/problems.js';
import { connectomeMatrix } from '../service/connectome-matrix.js';
import { distributionSizes } from '../service/distribution-sizes.js';
import { skeletonNodes, TooLargeToDrawError } from '../service/skeleton-nodes.js';
import { callerOf } from './auth.js';
import { HttpError } from './problem.js';
import { preferred } from './negotiate.js';
import { svgDocument } from './pictures/svg-frame.js';
import { heatmapFrame } from './pictures/heatmap-svg.js';
import { histogramFrame, hasHistogram } from './pictures/histogram-svg.js';
import { skeletonFrame } from './pictures/skeleton-svg.js';
import { renderTablePage } from './pages/table-page.js';
import { describedColumns } from '../service/dataset-view.js';

const versionOf = (req: Request) => (typeof req.query.version === 'string' ? req.query.version : undefined);
const sendSvg = (res: Response, svg: string) => res.type('image/svg+xml; charset=utf-8').send(svg);

export function picturesRouter(ctx: ServiceContext): Router {
  const r = Router();
  const tables = new TableService(ctx);

  r.get('/datasets/:id/connectome.svg', async (req, res) => {
    const id = String(req.params.id);
    const g = tables.resolveImported(id, 'connectome', callerOf(res), versionOf(req));
    const m = await connectomeMatrix(ctx, g.graph, id);
    sendSvg(res, svgDocument(heatmapFrame(m, { id: 'connectome', title: `Connectome of ${ctx.datasets.entry(id, callerOf(res)).title}` })));
  });

  const columnStats = async (req: Request, res: Response) => {
    const t = tables.resolveTable(String(req.params.id), String(req.params.compartment), callerOf(res), versionOf(req));
    const f = await tables.files(t.graph);
    return { t, f, stats: f.stats ?? await ctx.tableFiles.stats(f.parquet, f.specs) };
  };

  r.get('/datasets/:id/tables/:compartment/columns/:column/histogram.svg', async (req, res) => {
    const { t, stats } = await columnStats(req, res);
    const name = String(req.params.column);
    const c = stats.find((s) => s.name === name);
    if (!c) throw new NotFoundError(`the ${t.schema.slug} table has no column "${name}"; columns: ${stats.map((s) => s.name).join(', ')}`);
    if (!hasHistogram(c)) throw new HttpError(404, 'Not Found', `the column "${name}" is not numeric (${c.type}), so it has no histogram; numeric columns: ${stats.filter(hasHistogram).map((s) => s.name).join(', ') || 'none'}`);
    sendSvg(res, svgDocument(histogramFrame(c, { id: 'histogram' })));
  });

  r.get('/datasets/:id/assets/:name/projection.svg', async (req, res) => {
    try {
      const s = await skeletonNodes(ctx, String(req.params.id), String(req.params.name), callerOf(res), versionOf(req));
      sendSvg(res, svgDocument(skeletonFrame(s.nodes, { id: 'skeleton', name: s.name, unit: s.unit })));
    } catch (err) {
      if (err instanceof TooLargeToDrawError) throw new HttpError(413, 'Too Large To Draw', err.message, { limit: err.limit, bytes: err.bytes });
      throw err;
    }
  });

  r.get('/datasets/:id/tables/:compartment', async (req: Request, res: Response, next: NextFunction) => {
    // a browser (text/html above text/csv in Accept, no ?format=): the table page; everyone else: the table itself
    const slug = String(req.params.compartment);
    if (req.query.format !== undefined && req.query.format !== 'html') return next();
    if (req.query.format === undefined && preferred(req, ['text/csv', 'text/html']) !== 'text/html') return next();
    if (slug === 'connectome' || slug === 'dendritic-consortium') return next();
    res.vary('Accept');
    const caller = callerOf(res);
    const { t, f, stats } = await columnStats(req, res);
    const e = ctx.datasets.entry(String(req.params.id), caller);
    res.type('html').send(renderTablePage({
      dataset: { id: e.id, title: e.title }, slug: t.schema.slug, columns: describedColumns(t.schema, f.columns), version: t.version, rows: f.rows, modified: f.modified, sha256: f.sha256,
      bytes: await distributionSizes(ctx, t.graph), stats,
    }));
  });

  return r;
}
