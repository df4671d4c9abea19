/**
 * The embedded columnar engine (DuckDB) in a sandbox: it reads and writes files only inside the
 * table directory (allowed_directories), every other file system and network access is disabled
 * (enable_external_access = false) and the configuration is locked, so no query, whatever its
 * text, can change that.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface Engine {
  /** A connection of its own (one per concurrent job: a DuckDB connection runs one statement at a time). */
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

/** SQL string literal (for server-made paths only; user values are always bound parameters). */
export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** SQL identifier (column names, quoted so any spelling is one name). */
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function openEngine(dir: string, opts: { threads?: number; memoryLimit?: string } = {}): Promise<Engine> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(opts.threads ?? 2),
    ...(opts.memoryLimit ? { memory_limit: opts.memoryLimit } : {}),
    // spills of large sorts/aggregates go to the table directory's tmp folder
    temp_directory: `${dir}/tmp/duckdb`,
  });
  const setup = await instance.connect();
  const d = dir.endsWith('/') ? dir : `${dir}/`;
  // parquet_metadata_cache: a file's footer is parsed once, not on every query (table files are
  // content-addressed and never change under their name; temporary files get fresh names)
  for (const s of [`SET allowed_directories = [${sqlString(d)}]`, 'SET enable_external_access = false', 'SET autoinstall_known_extensions = false', 'SET autoload_known_extensions = false', 'SET parquet_metadata_cache = true', 'SET lock_configuration = true']) await setup.run(s);
  setup.closeSync();
  return {
    connect: () => instance.connect(),
    close: () => instance.closeSync(),
  };
}
