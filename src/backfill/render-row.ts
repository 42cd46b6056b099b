import type { Model } from '../models/model.js'
import type { BackfillRowRule } from './version-rule.js'

/** A model's row rendered by PostgreSQL as one ClickHouse TabSeparated line. */
export interface RenderedRow {
  /** The select list over relation `alias`, one expression per ClickHouse column. */
  select: string
  /** The ClickHouse columns, in the order of `select`. */
  columns: string[]
}

/**
 * The backfill's row of `model`: every field rendered by the shared SQL renderer, the version
 * column by the backfill's version rule, sign +1, is_deleted 0.
 */
export function renderBackfillRow(model: Model, alias: string, rule: BackfillRowRule): RenderedRow {
  throw new Error(`the SQL row renderer is not merged yet (${model.table}, ${alias}, ${String(rule.version)})`)
}
