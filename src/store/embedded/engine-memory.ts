/**
 * oxigraph's WebAssembly heap grown in one step ahead of a large load.
 *
 * The engine's allocator grows its heap a few pages at a time, and V8 answers every growth of a
 * WebAssembly memory with a garbage collection: loading 1 M triples into a fresh engine runs
 * ~1,900 full collections and costs 10–11 CPU-s, against 3 CPU-s when the heap is already large
 * (measured with `node --trace-gc`, 2026-12-07). Reserving about what the load will use first,
 * by handing the engine one large zeroed buffer that it allocates, rejects and frees, leaves that
 * memory in its allocator for the load to use: one growth instead of thousands.
 */
import { Store } from 'oxigraph';

/** Engine heap per byte of input, a little under what loads of table triples use (N-Triples ~5.6, N-Quads ~4.2). */
export const HEAP_PER_INPUT_BYTE = { 'n-triples': 4, 'n-quads': 3 } as const;
/** Loads smaller than this grow the heap little enough not to bother. */
const MIN_RESERVE = 32 * 2 ** 20;
/** Never reserve past this much engine heap (a WebAssembly memory holds at most 4 GiB; the rest is the load's margin). */
const MAX_HEAP = 3 * 2 ** 30;
/** At most this much in one reservation: one allocation of the 32-bit engine must stay under 2 GiB (Rust's isize::MAX), or it traps. */
const MAX_RESERVE = 2 ** 30;

/** The engine heap of this thread now (WebAssembly memories count as external memory, outside ArrayBuffers). */
function engineHeapBytes(): number {
  const m = process.memoryUsage();
  return Math.max(0, m.external - m.arrayBuffers);
}

/**
 * Make sure about `bytes` (at most 1 GiB) of free engine heap exist before a load (no-op when
 * small). Memory the allocator already holds free is reused, so calling this before every large
 * load is cheap.
 */
export function reserveEngineHeap(bytes: number): void {
  const n = Math.min(Math.floor(bytes), MAX_RESERVE, MAX_HEAP - engineHeapBytes());
  if (n < MIN_RESERVE) return;
  const probe = new Store();
  try {
    // a zero byte cannot start an N-Triples document: the parser rejects it at once; the copy the
    // engine made of the buffer is freed, and its pages stay in the engine's allocator
    probe.load(Buffer.alloc(n), { format: 'application/n-triples' });
  } catch {
    // expected
  } finally {
    // wasm-bindgen's free() (not in the type declarations) releases the probe now rather than at its finalisation
    (probe as unknown as { free?: () => void }).free?.();
  }
}
