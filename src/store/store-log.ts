/**
 * Where a store's warnings and structured events go: the logger it was given, or else the
 * process's JSON log on stderr (one format with the server's log, never free text on the console).
 */
import { jsonErrLog } from '../util/json-log.js';

/** What a caller may hand a store: `warn` for messages, `event` (optional) for structured records. */
export interface StoreLogger {
  warn(message: string): void;
  event?(record: Record<string, unknown>): void;
}

export interface StoreLog {
  warn(message: string): void;
  event(record: Record<string, unknown>): void;
}

/** `logger` completed: events fall back to JSON text through `warn`; no logger, JSON lines on stderr tagged `component`. */
export function storeLog(logger: StoreLogger | undefined, component: string): StoreLog {
  if (logger) {
    const event = logger.event?.bind(logger);
    return {
      warn: (m) => logger.warn(m),
      event: event ?? ((o) => logger.warn(JSON.stringify({ time: new Date().toISOString(), level: 'warn', ...o }))),
    };
  }
  return {
    warn: (msg) => jsonErrLog({ level: 'warn', component, msg }),
    event: (o) => jsonErrLog({ level: 'warn', component, ...o }),
  };
}
