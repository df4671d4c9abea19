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
}

/**
 * Walk the records of a journal buffer. Stops at the first record that is incomplete,
 * has a bad magic, a bad checksum or an out-of-sequence LSN; everything after that is a torn/corrupt tail.
 * @param prevLsn LSN of the last transaction before this journal (records must continue at prevLsn + 1).
 */
export function scanJournal(buf: Buffer, prevLsn: number): JournalScan {
  const records: JournalRecord[] = [];
  let off = 0;
  let lsn = prevLsn;
  let problem: string | undefined;
  while (off < buf.length) {
    if (buf.length - off < HEADER_BYTES) {
      problem = `incomplete record header at byte ${off} (${buf.length - off} of ${HEADER_BYTES} bytes)`;
      break;
    }
    if (!buf.subarray(off, off + 4).equals(RECORD_MAGIC)) {
      problem = `bad record marker at byte ${off}`;
      break;
    }
    const len = buf.readUInt32LE(off + 4);
    const recLsn = Number(buf.readBigUInt64LE(off + 8));
    if (buf.length - off - HEADER_BYTES < len) {
      problem = `incomplete record at byte ${off}: payload of ${len} bytes announced, ${buf.length - off - HEADER_BYTES} present`;
      break;
    }
    const payload = buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len);
    const h = createHash('sha256').update(buf.subarray(off, off + 16)).update(payload).digest();
    if (!h.equals(buf.subarray(off + 16, off + 48))) {
      problem = `checksum mismatch in record at byte ${off}`;
      break;
    }
    if (recLsn !== lsn + 1) {
      problem = `record at byte ${off} has sequence number ${recLsn}, expected ${lsn + 1}`;
      break;
    }
    records.push({ lsn: recLsn, offset: off, payload });
    lsn = recLsn;
    off += HEADER_BYTES + len;
  }
  return { records, validBytes: off, totalBytes: buf.length, problem, lastLsn: lsn };
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

  /** Write one record at the end and fsync. On failure the file is cut back to its previous length. */
  async append(record: Buffer): Promise<void> {
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
      } catch {
        // the caller turns this into a store-wide failure
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
