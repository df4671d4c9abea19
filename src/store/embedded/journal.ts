/**
 * Append-only journal of committed transactions.
 *
 * Record layout (little endian):
 *   0  magic  "SDJ1"          4 bytes
 *   4  payload length (u32)    4 bytes
 *   8  lsn (u64)               8 bytes   (log sequence number, +1 per transaction)
 *  16  sha256(bytes 0..16 ++ payload)  32 bytes
 *  48  payload: UTF-8 JSON: the WriteOp[], or {"ops": WriteOp[], "meta": OpMeta[]} where meta is
 *      what validation found out about each add (its graphs and size), so replay need not check again
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { WriteOp } from '../graph-store.js';
import type { OpMeta } from './ops.js';

export const RECORD_MAGIC = Buffer.from('SDJ1', 'latin1');
export const HEADER_BYTES = 48;
/** Upper bound for one record's payload (u32 length field). */
export const MAX_PAYLOAD = 0xffffffff;

export function encodeRecord(lsn: number, ops: WriteOp[], meta?: OpMeta[]): Buffer {
  const payload = Buffer.from(JSON.stringify(meta ? { ops, meta } : ops), 'utf8');
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`transaction too large for one journal record: ${payload.length} bytes`);
  const header = Buffer.alloc(HEADER_BYTES);
  RECORD_MAGIC.copy(header, 0);
  header.writeUInt32LE(payload.length, 4);
  header.writeBigUInt64LE(BigInt(lsn), 8);
  const h = createHash('sha256').update(header.subarray(0, 16)).update(payload).digest();
  h.copy(header, 16);
  return Buffer.concat([header, payload]);
}

export interface JournalRecord {
  lsn: number;
  offset: number;
  payload: Buffer;
}

export interface JournalScan {
  records: JournalRecord[];
  /** Bytes of the valid prefix (where the next record goes). */
  validBytes: number;
  /** Total bytes of the file as read. */
  totalBytes: number;
  /** Why the scan stopped before the end of the file, if it did. */
  problem?: string;
  lastLsn: number;
  /**
   * When the scan stopped early: the first intact record after the damage, if there is one. A
   * torn tail (a crash during an append) never has one; damage followed by intact records is
   * corruption of the file, which must not be cut off as if it were a torn tail.
   */
  resumes?: { offset: number; lsn: number };
}

/** One stretch of bytes of a journal that holds no intact record. */
export interface JournalDamage {
  /** Byte offset where the damage starts (where a record was expected). */
  offset: number;
  /** Byte offset of the next intact record, or the end of the file. */
  end: number;
  /** 1-based number of the record expected at `offset` (counting the intact records before it). */
  record: number;
  /** The transaction number expected at `offset`. */
  expectedLsn: number;
  problem: string;
  /** No intact record follows: a torn tail (incomplete last write) or garbage at the end. */
  tail: boolean;
  /** Transactions missing between the damage and the next intact record (from..to), when one follows. */
  lost?: { from: number; to: number };
}

export interface FullJournalScan {
  /** Every intact record, in file order (with gaps where damage is). */
  records: JournalRecord[];
  damage: JournalDamage[];
  totalBytes: number;
  lastLsn: number;
}

/** Check the record at `off`: the record, or why it is not one. `prevLsn` + 1 is the transaction expected there. */
function recordAt(buf: Buffer, off: number, prevLsn: number): { record: JournalRecord; end: number } | { problem: string } {
  if (buf.length - off < HEADER_BYTES) return { problem: `incomplete record header at byte ${off} (${buf.length - off} of ${HEADER_BYTES} bytes)` };
  if (!buf.subarray(off, off + 4).equals(RECORD_MAGIC)) return { problem: `bad record marker at byte ${off}` };
  const len = buf.readUInt32LE(off + 4);
  const recLsn = Number(buf.readBigUInt64LE(off + 8));
  if (buf.length - off - HEADER_BYTES < len) {
    return { problem: `incomplete record at byte ${off}: payload of ${len} bytes announced, ${buf.length - off - HEADER_BYTES} present` };
  }
  const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
  const h = createHash('sha256').update(buf.subarray(off, off + 16)).update(payload).digest();
  if (!h.equals(buf.subarray(off + 16, off + 48))) return { problem: `checksum mismatch in record at byte ${off}` };
  if (recLsn !== prevLsn + 1) return { problem: `record at byte ${off} has sequence number ${recLsn}, expected ${prevLsn + 1}` };
  return { record: { lsn: recLsn, offset: off, payload }, end: off + HEADER_BYTES + len };
}

/**
 * The first intact record at or after byte `from` whose transaction number is above `afterLsn`:
 * its marker, a length that fits the file and a SHA-256 that matches (a chance match is
 * impossible in practice, so an intact record found this way is one the store wrote).
 */
export function findNextRecord(buf: Buffer, from: number, afterLsn: number): { offset: number; lsn: number } | undefined {
  for (let at = buf.indexOf(RECORD_MAGIC, from); at !== -1; at = buf.indexOf(RECORD_MAGIC, at + 1)) {
    if (buf.length - at < HEADER_BYTES) return undefined;
    const lsn = Number(buf.readBigUInt64LE(at + 8));
    if (lsn <= afterLsn) continue;
    const r = recordAt(buf, at, lsn - 1);
    if ('record' in r) return { offset: at, lsn };
  }
  return undefined;
}

/**
 * Walk the records of a journal buffer. Stops at the first record that is incomplete,
 * has a bad magic, a bad checksum or an out-of-sequence LSN; `resumes` tells whether intact
 * records follow (corruption) or not (a torn tail).
 * @param prevLsn LSN of the last transaction before this journal (records must continue at prevLsn + 1).
 */
export function scanJournal(buf: Buffer, prevLsn: number): JournalScan {
  const records: JournalRecord[] = [];
  let off = 0;
  let lsn = prevLsn;
  let problem: string | undefined;
  let resumes: JournalScan['resumes'];
  while (off < buf.length) {
    const r = recordAt(buf, off, lsn);
    if ('problem' in r) {
      problem = r.problem;
      resumes = findNextRecord(buf, off, lsn);
      break;
    }
    records.push(r.record);
    lsn = r.record.lsn;
    off = r.end;
  }
  return { records, validBytes: off, totalBytes: buf.length, problem, lastLsn: lsn, resumes };
}

/**
 * Walk a whole journal, past damage: after a stretch without an intact record the walk goes on
 * at the next intact record (re-synchronising on the record marker and checksum).
 */
export function scanJournalFully(buf: Buffer, prevLsn: number): FullJournalScan {
  const records: JournalRecord[] = [];
  const damage: JournalDamage[] = [];
  let off = 0;
  let lsn = prevLsn;
  while (off < buf.length) {
    const r = recordAt(buf, off, lsn);
    if ('record' in r) {
      records.push(r.record);
      lsn = r.record.lsn;
      off = r.end;
      continue;
    }
    const next = findNextRecord(buf, off, lsn);
    damage.push({
      offset: off,
      end: next?.offset ?? buf.length,
      record: records.length + damage.length + 1,
      expectedLsn: lsn + 1,
      problem: r.problem,
      tail: !next,
      lost: next && next.lsn > lsn + 1 ? { from: lsn + 1, to: next.lsn - 1 } : undefined,
    });
    if (!next) break;
    off = next.offset;
    lsn = next.lsn - 1;
  }
  return { records, damage, totalBytes: buf.length, lastLsn: lsn };
}

export function decodeRecordPayload(payload: Buffer): { ops: WriteOp[]; meta?: OpMeta[] } {
  const v = JSON.parse(payload.toString('utf8')) as WriteOp[] | { ops: WriteOp[]; meta?: OpMeta[] };
  return Array.isArray(v) ? { ops: v } : v;
}

export function decodePayload(payload: Buffer): WriteOp[] {
  return decodeRecordPayload(payload).ops;
}

/** Appends records to one journal file; every append is fsynced before it resolves. */
export class JournalWriter {
  private constructor(
    readonly path: string,
    private fh: FileHandle,
    private size: number,
  ) {}

  static async open(path: string, size: number): Promise<JournalWriter> {
    const fh = await open(path, 'r+');
    const st = await fh.stat();
    if (st.size !== size) await fh.truncate(size);
    return new JournalWriter(path, fh, size);
  }

  get bytes(): number {
    return this.size;
  }

  /** Set when a failed append could not be undone: no more appends until the store is reopened. */
  private broken?: Error;

  /** Write one record at the end and fsync. On failure the file is cut back to its previous length. */
  async append(record: Buffer): Promise<void> {
    if (this.broken) throw new Error(`an earlier failed write could not be undone (${this.broken.message}); fix the disk and restart the server`);
    const start = this.size;
    try {
      let written = 0;
      while (written < record.length) {
        const { bytesWritten } = await this.fh.write(record, written, record.length - written, start + written);
        written += bytesWritten;
      }
      await this.fh.sync();
      this.size = start + record.length;
    } catch (e) {
      try {
        await this.fh.truncate(start);
        await this.fh.sync();
      } catch (cut) {
        // the record the caller is told failed must never be replayed: spoil its marker (a write
        // into an existing block, which works on a full disk), so a restart sees a torn tail
        // (the next append writes over it from `start`; what is left after that is a torn tail)
        try {
          await this.fh.write(Buffer.alloc(RECORD_MAGIC.length), 0, RECORD_MAGIC.length, start);
          await this.fh.sync();
        } catch {
          this.broken = cut as Error; // nothing more can be done here; refuse appends until reopened
        }
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
