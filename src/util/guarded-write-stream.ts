/**
 * A file write stream whose failures (ENOSPC, EROFS, EIO, …) reject the next write() or end()
 * instead of surfacing as an unhandled 'error' event, which would end the process.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export interface GuardedWriter {
  write(chunk: Buffer): Promise<void>;
  /** Flush and close; rejects with the stream's error if there was one. */
  end(): Promise<void>;
  /** Abandon the file (after a failure elsewhere). */
  destroy(): void;
}

export function guardedWriteStream(path: string): GuardedWriter {
  const ws = createWriteStream(path);
  let failed: Error | undefined;
  const failure = new Promise<never>((_, reject) => {
    ws.on('error', (e) => {
      failed = e;
      reject(e);
    });
  });
  failure.catch(() => undefined);
  return {
    async write(chunk) {
      if (failed) throw failed;
      if (!ws.write(chunk)) await Promise.race([once(ws, 'drain'), failure]);
    },
    async end() {
      if (failed) throw failed;
      const finished = once(ws, 'close');
      ws.end();
      await Promise.race([finished, failure]);
      if (failed) throw failed;
    },
    destroy() {
      ws.destroy();
    },
  };
}
