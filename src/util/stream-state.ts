/**
 * Whether a readable can still deliver its data. A request body handed to a write that first waits
 * for its dataset's lock may meanwhile have failed (a multipart part destroyed with an error, a
 * client that went away): piping such a stream does nothing and waiting for its end waits forever,
 * holding the lock. Writers check it before piping and treat a close before the end as a failure.
 */
import type { Readable } from 'node:stream';

/** The error the stream failed with, or a premature-close error when it closed before its end; undefined while it can still be read. */
export function streamFailure(s: Readable): Error | undefined {
  if (s.errored) return s.errored;
  if (s.destroyed && !s.readableEnded) return Object.assign(new Error('the request body ended before it was complete (the client closed the connection)'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
  return undefined;
}

/** Call `fail` when `s` closes before its end (after `streamFailure` said it was readable). */
export function onPrematureClose(s: Readable, fail: (err: Error) => void): () => void {
  const onClose = () => { const e = streamFailure(s); if (e) fail(e); };
  s.on('close', onClose);
  return () => s.off('close', onClose);
}
