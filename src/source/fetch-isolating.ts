import { PoisonRowError, messageOf } from '../errors.js'
import { fetchRowsByKeys } from './fetch.js'
import { decodeKey } from './keys.js'
import type { Queryable, SourceTable } from './source-table.js'

/** The rows of a batch's keys, and the keys that are not keys of the table, each with its reason. */
export interface FetchedRows<Row> {
  rows: Map<string, Row>
  /** Keys no query can look up (`'abc'` for a bigint key, a malformed composite key): to be parked. */
  badKeys: Map<string, string>
}

/**
 * `fetchRowsByKeys` that sets bad keys aside instead of failing the batch: one such key makes the
 * whole query fail (a data exception names the value, not its position), so the keys are halved
 * until each failing one stands alone. The good path stays one query; each bad key costs about
 * log2(batch) more. A bad key is one the registration API refuses, so it comes from a raw storage
 * write or a key column whose type changed since.
 */
export async function fetchRowsIsolatingBadKeys<Row extends Record<string, unknown> = Record<string, unknown>>(
  db: Queryable,
  source: SourceTable,
  keys: readonly string[],
): Promise<FetchedRows<Row>> {
  const badKeys = new Map<string, string>()
  const wellFormed: string[] = []
  for (const key of keys) {
    try {
      decodeKey(key, source.primaryKey.length)
      wellFormed.push(key)
    } catch (error) {
      if (!(error instanceof PoisonRowError)) throw error
      badKeys.set(key, messageOf(error))
    }
  }
  const rows = new Map<string, Row>()
  const fetchPart = async (part: readonly string[]): Promise<void> => {
    try {
      for (const [key, row] of await fetchRowsByKeys<Row>(db, source, part)) rows.set(key, row)
    } catch (error) {
      if (!(error instanceof PoisonRowError)) throw error
      if (part.length === 1) {
        badKeys.set(part[0] as string, messageOf(error))
        return
      }
      const half = Math.ceil(part.length / 2)
      await fetchPart(part.slice(0, half))
      await fetchPart(part.slice(half))
    }
  }
  if (wellFormed.length > 0) await fetchPart(wellFormed)
  return { rows, badKeys }
}
