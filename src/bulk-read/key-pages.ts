import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { isSQLExpression } from '../models/engines/index.js'
import type { Field, LowCardinalityField } from '../models/fields/common.js'
import type { Model } from '../models/model.js'
import type { ByteReader } from './byte-reader.js'
import { currentStateQuery, type WhereClause } from './current-state-query.js'
import { rowBinaryChunks } from './row-binary-stream.js'
import { valueDecoder, type ValueDecoder } from './value-decoders.js'

/** The first page, before the bytes of a row are known: a row per KiB of the budget, at most 1,024 rows. */
const FIRST_PAGE_ROWS = 1024
const FIRST_PAGE_ROW_BYTES = 1024

/**
 * Key field kinds whose decoded value, bound or escaped back as `{name:Type}`, is the same key:
 * not Nullable (NULL does not compare), not DateTime64 (its ISO text is not what CAST parses), not
 * arrays, maps or tuples.
 */
const PAGEABLE = new Set([
  'int',
  'float',
  'decimal',
  'bool',
  'string',
  'fixedString',
  'uuid',
  'date',
  'dateTime',
  'enum',
  'ip',
])

function pageable(field: Field): boolean {
  return field.kind === 'lowCardinality' ? pageable((field as LowCardinalityField).inner) : PAGEABLE.has(field.kind)
}

/**
 * The sorting-key columns a keyset read pages over, or undefined when it cannot page: a plain
 * MergeTree (no FINAL, so rows may share a key and a `>` boundary would skip some), a key with an
 * expression (its value is not read back) or with a field kind that does not bind back as itself.
 * After FINAL every other engine holds one row per sorting key, so `key > last` pages are disjoint
 * and together are the whole state.
 */
export function pageKeys(model: Model): { name: string; field: Field }[] | undefined {
  if (model.engine.kind === 'MergeTree') return undefined
  const keys: { name: string; field: Field }[] = []
  for (const part of model.engine.orderBy) {
    if (isSQLExpression(part)) return undefined
    const field = model.fields[part]
    if (!field || !pageable(field)) return undefined
    keys.push({ name: part, field })
  }
  return keys.length ? keys : undefined
}

/** The sorting key of the last row decoded, read from the key columns each page appends to a row. */
export class PageCursor {
  rows = 0
  last: unknown[] | undefined
  private readonly decoders: ValueDecoder[]

  constructor(readonly keys: { name: string; field: Field }[]) {
    this.decoders = keys.map(({ field }) => valueDecoder(field))
  }

  /** Reads a row's key columns; commits them only once all are read (a row cut off is read again). */
  read = (reader: ByteReader): void => {
    const values = this.decoders.map((decode) => decode(reader))
    this.last = values
    this.rows++
  }
}

/**
 * A current state read as keyset pages — `… WHERE key > last ORDER BY key LIMIT n` — for chDB, which
 * materializes each answer whole: memory holds one page, sized from `pageBytes` by the bytes per row
 * the previous page showed. The pages are separate queries: each is a consistent current state of
 * its key range, and no key is in two pages. The cursor must be fed every row of a page before the
 * next one is asked for (the decode loop pulls a chunk only when it has decoded the previous one).
 */
export async function* keyPageChunks(
  db: ClickHouseDatabase,
  model: Model,
  base: { columns?: readonly string[]; where?: WhereClause; bind: boolean },
  cursor: PageCursor,
  pageBytes: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let limit = Math.max(1, Math.min(FIRST_PAGE_ROWS, Math.floor(pageBytes / FIRST_PAGE_ROW_BYTES)))
  for (;;) {
    const query = currentStateQuery(db, model, { ...base, page: { keys: cursor.keys, after: cursor.last, limit } })
    const before = cursor.rows
    let bytes = 0
    for await (const chunk of rowBinaryChunks(db, query, signal)) {
      bytes += chunk.length
      yield chunk
    }
    const rows = cursor.rows - before
    if (rows < limit) return
    limit = Math.max(1, Math.floor(pageBytes / (bytes / rows)))
  }
}
