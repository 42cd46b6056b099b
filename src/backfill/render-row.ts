import { ConfigError, messageOf } from '../errors.js'
import type { Model } from '../models/model.js'
import { NotRenderable, renderColumns } from '../serializers/sql/index.js'
import type { SourceTableDescription } from '../source/describe.js'
import { BACKFILL_VERSION } from './version-rule.js'

/** A model's backfilled row as PostgreSQL prints it: one ClickHouse TabSeparated line. */
export interface RenderedRow {
  /** An SQL text expression over relation `alias`: the whole line, ending in a line feed. */
  line: string
  /** The ClickHouse columns of the line's fields, in order: the insert's column list. */
  columns: string[]
}

/**
 * The backfill's row of `model` through the shared SQL renderer (src/serializers/sql): every field
 * as live rounds render it, the version by the backfill's rule (0, or the model's source version
 * column, which the renderer reads itself), sign +1, is_deleted 0. A model the renderer cannot
 * print (a column computed in JavaScript) cannot be backfilled at copy speed: a `ConfigError`
 * naming the column, before anything is copied.
 */
export function renderBackfillRow(model: Model, description: SourceTableDescription, alias: string): RenderedRow {
  try {
    // With `version: { column }` the renderer reads that source column itself and ignores `version`.
    const { line, columns } = renderColumns(model, description, alias, {
      version: String(BACKFILL_VERSION),
      sign: '1',
      isDeleted: 'false',
    })
    return { line, columns }
  } catch (error) {
    if (!(error instanceof NotRenderable)) throw error
    throw new ConfigError(
      `backfill of ${model.table} (import key ${model.importKey}) needs every column rendered by PostgreSQL: ` +
        `${messageOf(error)}. Map the column to a source column or an SQL default instead`,
      { model: model.table, importKey: model.importKey, table: model.table },
      { cause: error },
    )
  }
}
