/**
 * The one reader of the process environment: every setting taken from `process.env` goes
 * through these functions (service/config.ts builds the configuration from them; store/ and
 * the routers read their few tuning knobs here), so the names and their parsing live together.
 */

export type Env = NodeJS.ProcessEnv;

/** The raw value of `name` (undefined when unset). */
export function envString(name: string, env: Env = process.env): string | undefined {
  return env[name];
}

/** A positive whole number from `name`; `dflt` when unset or not one (lenient: tests and tuning knobs). */
export function positiveIntFromEnv(name: string, dflt: number, env: Env = process.env): number {
  const v = Number(env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
}

/**
 * A whole number from `name` (underscores allowed as digit separators) within [min, max];
 * undefined when unset or blank; `fail(value)` gives the error thrown when it is out of range.
 */
export function boundedIntFromEnv(name: string, min: number, max: number, fail: (value: string) => Error, env: Env = process.env): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min || n > max) throw fail(v);
  return n;
}

/** One of `choices` from `name`; `dflt` when unset or empty. */
export function choiceFromEnv<T extends string>(name: string, choices: readonly T[], dflt: T, env: Env = process.env): T {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  if (!(choices as readonly string[]).includes(v)) throw new Error(`${name}=${v} is not one of: ${choices.join(', ')}`);
  return v as T;
}

/** The login name of the user running the command line (USER), for the actor recorded by CLI writes. */
export const cliUser = (env: Env = process.env): string => (env.USER ? `cli:${env.USER}` : 'cli');
