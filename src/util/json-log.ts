/**
 * The process's structured log: one JSON object a line (pino), `level` as a name, `time` in ISO
 * 8601, credentials redacted wherever a record carries them (an Authorization or Cookie header, a
 * token, a password). The server's request lines, the store's events and the CLI's progress all go
 * through one such logger.
 */
import { pino, type DestinationStream } from 'pino';

export type LogRecord = Record<string, unknown>;
/** A sink for structured records; `level` is 'info' unless given ('debug', 'warn', 'error', …). */
export type Logger = (o: LogRecord) => void;

const REDACTED = [
  'authorization', 'cookie', 'token', 'password',
  'headers.authorization', 'headers.cookie', 'req.headers.authorization', 'req.headers.cookie',
];
const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** A logger writing to `destination` (stdout when not given). */
export function createJsonLog(destination?: DestinationStream): Logger {
  const log = pino({
    base: undefined,
    level: 'debug',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED, censor: '[redacted]' },
  }, destination ?? pino.destination({ dest: 1, sync: true }));
  return (o) => {
    const { level, ...rest } = o;
    const name = typeof level === 'string' && LEVELS.has(level) ? level : 'info';
    log[name as 'info'](rest);
  };
}

let stdoutLog: Logger | undefined;
/** The process's logger on stdout (made at first use). */
export const jsonLog: Logger = (o) => (stdoutLog ??= createJsonLog())(o);

let stderrLog: Logger | undefined;
/** The same logger on stderr, for modules given no logger (made at first use). */
export const jsonErrLog: Logger = (o) => (stderrLog ??= createJsonLog(pino.destination({ dest: 2, sync: true })))(o);
