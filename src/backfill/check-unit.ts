import type { SyncUnit } from '../models/model.js'
import { describeSourceTable } from '../source/describe.js'
import type { Queryable } from '../source/source-table.js'
import { renderBackfillRow } from './render-row.js'
import { backfillRowRule } from './version-rule.js'

/**
 * Fails with a `ConfigError` naming the model when one of the unit's models cannot be backfilled:
 * an engine whose rows a backfill cannot share with live rows, or a column PostgreSQL cannot render.
 * Run before planning, so a backfill that cannot work blocks before it copies anything.
 */
export async function checkBackfillable(db: Queryable, unit: SyncUnit): Promise<void> {
  const description = await describeSourceTable(db, unit.source)
  for (const model of unit.models) {
    backfillRowRule(model)
    renderBackfillRow(model, description, 't')
  }
}
