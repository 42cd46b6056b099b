import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { isSQLExpression } from '../models/engines/index.js'
import type { Field, LowCardinalityField } from '../models/fields/common.js'
import type { Model } from '../models/model.js'
import { ByteReader } from './byte-reader.js'
import { currentStateQuery, type WhereClause } from './current-state-query.js'
import { valueDecoder } from './value-decoders.js'
import { rowBinaryChunks } from './row-binary-stream.js'

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

type Keys = { name: string; field: Field }[]

/**
 * The sorting-key columns a paged read splits the key space on, or undefined when it cannot page: a
 * plain MergeTree (no FINAL, so rows may share a key and a page boundary would split them), a key
 * with an expression (its value is not read back) or with a field kind that does not bind back as
 * itself. After FINAL every other engine holds one row per sorting key.
 */
export function pageKeys(model: Model): Keys | undefined {
  if (model.engine.kind === 'MergeTree') return undefined
  const keys: Keys = []
  for (const part of model.engine.orderBy) {
    if (isSQLExpression(part)) return undefined
    const field = model.fields[part]
    if (!field || !pageable(field)) return undefined
    keys.push({ name: part, field })
  }
  return keys.length ? keys : undefined
}

type Base = { columns?: readonly string[]; where?: WhereClause; bind: boolean }

/** The key of the `nth` row after `after` in the current state, or undefined when fewer rows follow. */
async function upperBound(
  db: ClickHouseDatabase,
  model: Model,
  base: Base,
  keys: Keys,
  after: readonly unknown[] | undefined,
  nth: number,
  signal: AbortSignal | undefined,
): Promise<unknown[] | undefined> {
  const query = currentStateQuery(db, model, { ...base, range: { keys, after, nth } })
  const chunks: Buffer[] = []
  for await (const chunk of rowBinaryChunks(db, query, signal)) chunks.push(chunk)
  const bytes = Buffer.concat(chunks)
  if (bytes.length === 0) return undefined
  const reader = new ByteReader()
  reader.reset(bytes)
  return keys.map(({ field }) => valueDecoder(field)(reader))
}

interface Page {
  /** The page's last key, where the next page starts; undefined for the last page. */
  upTo: unknown[] | undefined
  chunks: Buffer[]
}

/** One page: its upper bound first (a query of the key columns only), then its rows. */
async function fetchPage(
  db: ClickHouseDatabase,
  model: Model,
  base: Base,
  keys: Keys,
  after: readonly unknown[] | undefined,
  rows: number,
  signal: AbortSignal | undefined,
): Promise<Page> {
  const upTo = await upperBound(db, model, base, keys, after, rows, signal)
  const query = currentStateQuery(db, model, { ...base, range: { keys, after, upTo } })
  const chunks: Buffer[] = []
  for await (const chunk of rowBinaryChunks(db, query, signal)) chunks.push(chunk)
  return { upTo, chunks }
}

/**
 * A current state read in pages over ranges of the sorting key — `(after, upTo]`, each `upTo` the
 * key `rows` rows on — for chDB, which materializes each answer whole: memory holds about two pages,
 * sized from `pageBytes` by the bytes per row the previous page showed. Page k + 1 is asked for
 * before page k is handed on, so chDB computes it while page k decodes. The ranges are disjoint and
 * together the whole key space, whatever their bounds, so no key is in two pages and every key that
 * exists throughout is read; each page is a consistent current state of its range.
 */
export async function* keyRangeChunks(
  db: ClickHouseDatabase,
  model: Model,
  base: Base,
  keys: Keys,
  pageBytes: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let rows = Math.max(1, Math.min(FIRST_PAGE_ROWS, Math.floor(pageBytes / FIRST_PAGE_ROW_BYTES)))
  let next: Promise<Page> | undefined = fetchPage(db, model, base, keys, undefined, rows, signal)
  try {
    while (next) {
      const page: Page = await next
      next = undefined
      if (page.upTo) {
        const bytes = page.chunks.reduce((sum, chunk) => sum + chunk.length, 0)
        rows = Math.max(1, Math.floor(pageBytes / Math.max(1, bytes / rows)))
        next = fetchPage(db, model, base, keys, page.upTo, rows, signal)
      }
      yield* page.chunks
    }
  } finally {
    // A read left early: the prefetched page is dropped, its failure (if any) with it.
    next?.catch(() => undefined)
  }
}
