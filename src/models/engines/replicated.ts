import { DEFAULT_REPLICATION, type Replication } from './common.js'
import type { Engine } from './index.js'

/**
 * The Replicated variant of any engine: `ReplicatedReplacingMergeTree('<path>', '<replica>', …)`.
 * Replicated tables are migrated once per alias group (cluster), not on every alias.
 * @example replicated(replacingMergeTree({ orderBy: ['id'], version: 'version' }))
 * @example replicated(mergeTree({ orderBy: ['id'] }), { zooKeeperPath: '/ch/{shard}/events', replicaName: '{replica}' })
 */
export function replicated<TEngine extends Engine>(engine: TEngine, replication: Partial<Replication> = {}): TEngine {
  return { ...engine, replication: { ...DEFAULT_REPLICATION, ...replication } }
}

/** The replication paths of an engine, or undefined when it is not replicated. */
export function replicationOf(engine: Engine): Replication | undefined {
  if (engine.replication === undefined) return undefined
  return engine.replication === true ? DEFAULT_REPLICATION : engine.replication
}
