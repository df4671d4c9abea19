/**
 * The answer to a table upload that failed on its content: 422 with the rejection's rows and
 * columns (TableRejected), or with csv-parse's words for a file read elsewhere (CSV_… codes).
 */
import type { Response } from 'express';
import { sendProblem } from './problem.js';
import { TableRejected, rejectionBody } from '../service/tables.js';

/** Send the problem and say so; false when `err` is not about the table's content. */
export function sendTableProblem(res: Response, err: unknown): boolean {
  if (err instanceof TableRejected) {
    sendProblem(res, 422, err.title, err.message, rejectionBody(err));
    return true;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')) {
    sendProblem(res, 422, 'Malformed CSV', `the CSV cannot be read: ${(err as Error).message}; nothing was stored`);
    return true;
  }
  return false;
}
