import { quoteIdentifier, quoteString } from '../../clickhouse/sql.js'
import type { AggregatingMergeTreeEngine } from './aggregating-merge-tree.js'
import type { CollapsingMergeTreeEngine, VersionedCollapsingMergeTreeEngine } from './collapsing-merge-tree.js'
import type { MergeTreeEngine } from './merge-tree.js'
import type { ReplacingMergeTreeEngine } from './replacing-merge-tree.js'
import { replicationOf } from './replicated.js'
import type { SummingMergeTreeEngine } from './summing-merge-tree.js'

export * from './common.js'
export * from './merge-tree.js'
export * from './replacing-merge-tree.js'
export * from './collapsing-merge-tree.js'
export * from './summing-merge-tree.js'
export * from './aggregating-merge-tree.js'
export * from './replicated.js'

/** Every engine a model can have, keyed on `kind`; `TColumn` is the model's column names. */
export type Engine<TColumn extends string = string> =
  | MergeTreeEngine<TColumn>
  | ReplacingMergeTreeEngine<TColumn>
  | CollapsingMergeTreeEngine<TColumn>
  | VersionedCollapsingMergeTreeEngine<TColumn>
  | SummingMergeTreeEngine<TColumn>
  | AggregatingMergeTreeEngine<TColumn>

/** The engine's own arguments (columns quoted), without the replication paths. */
function engineArguments(engine: Engine): string[] {
  switch (engine.kind) {
    case 'ReplacingMergeTree':
      return [engine.version, engine.isDeleted].filter((column) => column !== undefined).map(quoteIdentifier)
    case 'CollapsingMergeTree':
      return [quoteIdentifier(engine.sign)]
    case 'VersionedCollapsingMergeTree':
      return [quoteIdentifier(engine.sign), quoteIdentifier(engine.version)]
    case 'SummingMergeTree':
      return engine.columns?.length ? [`(${engine.columns.map(quoteIdentifier).join(', ')})`] : []
    case 'MergeTree':
    case 'AggregatingMergeTree':
      return []
  }
}

/** `ReplicatedReplacingMergeTree('/path', '{replica}', \`version\`)` — the part after `ENGINE =`. */
export function engineSQL(engine: Engine): string {
  const replication = replicationOf(engine)
  const args = engineArguments(engine)
  if (replication) args.unshift(quoteString(replication.zooKeeperPath), quoteString(replication.replicaName))
  const name = replication ? `Replicated${engine.kind}` : engine.kind
  return args.length ? `${name}(${args.join(', ')})` : name
}

/** The column chsync writes the version to, if the engine has one. */
export function versionColumnOf(engine: Engine): string | undefined {
  switch (engine.kind) {
    case 'ReplacingMergeTree':
    case 'CollapsingMergeTree':
    case 'VersionedCollapsingMergeTree':
      return engine.version
    default:
      return undefined
  }
}

/** The sign column of a collapsing engine. */
export function signColumnOf(engine: Engine): string | undefined {
  return engine.kind === 'CollapsingMergeTree' || engine.kind === 'VersionedCollapsingMergeTree'
    ? engine.sign
    : undefined
}

/** The is_deleted column of a ReplacingMergeTree. */
export function isDeletedColumnOf(engine: Engine): string | undefined {
  return engine.kind === 'ReplacingMergeTree' ? engine.isDeleted : undefined
}
