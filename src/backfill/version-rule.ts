import { ConfigError } from '../errors.js'
import { versionColumnOf } from '../models/engines/index.js'
import type { Model } from '../models/model.js'

/**
 * The version a backfilled row is written with, and what else makes it coexist with live sync
 * (docs/backfill.md, "The version rule").
 *
 * Live rows carry storage sequences: microseconds since the epoch at registration, so every one of
 * them is above 0. A backfilled row carries version 0 and so loses to every live row of its key,
 * whichever lands first. It never overrides a newer change either: any change to a row after the
 * backfill read it was registered by capture (complete capture is the premise of live sync) and
 * is synced live with a higher version. A model that takes its version from a source column
 * (`version: { column }`) writes that column, as live sync does: the newer state has the higher value.
 *
 * Collapsing engines cannot let two rows of one key both stand with sign +1, and a cancel row must
 * cancel what ClickHouse holds. So a range copy for them takes the model's sync lock (no round runs
 * meanwhile, none stands claimed with a payload frozen from an older ClickHouse state), and leaves
 * out every key ClickHouse already holds: live sync wrote it, from a read at least as new as what
 * ClickHouse shows, or an earlier attempt of this copy did. Rounds after the copy read the backfilled
 * rows as the state to cancel. The same rule makes a re-sent range harmless without tokens (18.16).
 */
export interface BackfillRowRule {
  /** Collapsing engines: hold the model's lock and skip keys ClickHouse holds. */
  excludeHeldKeys: boolean
}

/** The version of a backfilled row where the engine takes storage sequences: below every one of them. */
export const BACKFILL_VERSION = 0

/** The rule for one model; throws `ConfigError` for engines a backfilled row cannot share with live rows. */
export function backfillRowRule(model: Model): BackfillRowRule {
  const { engine } = model
  const versionColumn = versionColumnOf(engine)
  switch (engine.kind) {
    case 'CollapsingMergeTree':
    case 'VersionedCollapsingMergeTree':
      return { excludeHeldKeys: true }
    case 'ReplacingMergeTree':
      if (versionColumn === undefined)
        throw refuse(model, 'a ReplacingMergeTree without a version column keeps the row inserted last')
      return { excludeHeldKeys: false }
    case 'MergeTree':
      // Every write appends a row: live sync and backfill both add rows, as documented for MergeTree.
      return { excludeHeldKeys: false }
    case 'SummingMergeTree':
    case 'AggregatingMergeTree':
      throw refuse(model, `${engine.kind} would add a backfilled row to the live rows of its key`)
  }
}

function refuse(model: Model, why: string): ConfigError {
  return new ConfigError(
    `backfill of ${model.table} (import key ${model.importKey}) cannot coexist with its live sync: ${why}. ` +
      'Give the engine a version column (chsync makemigrations / migrate), or load the table another way',
    { model: model.table, importKey: model.importKey, table: model.table },
  )
}
