/** Messages between service/check-pool.ts and service/check-worker.ts, and errors across the thread boundary. */
import type { InputFormat, ParsedDataset } from '../model/parse-input.js';
import type { Problem } from '../model/problems.js';
import { InputError } from '../model/problems.js';
import { InputLimitError, type InputLimits } from '../model/input-limits.js';
import type { ValidationReport } from '../shacl/results.js';
import { GraphSyntaxError } from './graph-body.js';

/** A dataset upload to check (checkDataset), a Graph Store body to parse, or a graph (N-Triples) to validate. */
export type CheckJob =
  | { job: number; kind: 'check'; body: string; format: InputFormat; id?: string }
  | { job: number; kind: 'graph'; body: string; format: string; base: string }
  | { job: number; kind: 'validate'; nquads: string };

export type CheckOk =
  | { kind: 'check'; parsed: ParsedDataset; nquads: string; report: ValidationReport; problems: Problem[] }
  | { kind: 'graph'; lines: string[] }
  | { kind: 'validate'; report: ValidationReport };

export type SerializedError =
  | { kind: 'limit'; limit: keyof InputLimits; max: number; path: string; what: string }
  | { kind: 'input'; title: string; problems: Problem[]; status: number; report?: string }
  | { kind: 'syntax'; message: string }
  | { kind: 'other'; name: string; message: string };

export type CheckReply = { job: number; ok: CheckOk; error?: undefined } | { job: number; error: SerializedError; ok?: undefined };

export function serializeCheckError(e: unknown): SerializedError {
  if (e instanceof InputLimitError) {
    return { kind: 'limit', limit: e.limit, max: e.max, path: e.path, what: e.what };
  }
  if (e instanceof GraphSyntaxError) return { kind: 'syntax', message: e.message };
  if (e instanceof InputError) return { kind: 'input', title: e.title, problems: e.problems, status: e.status, report: e.report };
  const err = e as Error;
  return { kind: 'other', name: err?.name ?? 'Error', message: err?.message ?? String(e) };
}

export function deserializeCheckError(s: SerializedError): Error {
  if (s.kind === 'limit') return new InputLimitError(s.limit, s.max, s.path, s.what);
  if (s.kind === 'syntax') return new GraphSyntaxError(s.message);
  if (s.kind === 'input') return new InputError(s.title, s.problems, s.status, s.report);
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
