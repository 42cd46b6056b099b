import type { ClickHouseClient } from '@clickhouse/client'
import type { ClickHouseDatabase } from './client.js'

/**
 * What a ClickHouse server can do, probed once per target so later code adapts (drops a setting,
 * picks other DDL) instead of failing on an old server. Read from the server's own system tables,
 * not guessed from its version, except where no table tells (noted per field).
 */
export interface ClickHouseCapabilities {
  /** `version()` as the server reports it, e.g. `18.16.1` or `26.7.2.1`. */
  version: string
  /** Numeric major.minor, for the few decisions no system table answers. */
  major: number
  minor: number
  /** `insert_deduplication_token`: exactly-once batches (ClickHouse ≥ 22.2). */
  insertDeduplicationToken: boolean
  /** MergeTree setting `non_replicated_deduplication_window`: deduplication on non-replicated tables. */
  nonReplicatedDeduplicationWindow: boolean
  /** `deduplicate_blocks_in_dependent_materialized_views`: retries stay exactly-once in views. */
  dependentViewDeduplication: boolean
  /** `async_insert` exists, so chsync must set it to 0 to keep inserts synchronous and atomic. */
  asyncInsert: boolean
  /** `{name:Type}` query parameters (the 18.x servers reject them with error 115/456). */
  queryParameters: boolean
  /** `ReplacingMergeTree(version, is_deleted)` (23.2+; no system table lists engine arguments). */
  replacingIsDeleted: boolean
  /** LowCardinality(T) as a data type. */
  lowCardinality: boolean
  /** LowCardinality needs `allow_experimental_low_cardinality_type = 1` (18.x–19.x). */
  lowCardinalityExperimental: boolean
  dateTime64: boolean
  date32: boolean
  bool: boolean
  map: boolean
  ipv4: boolean
  /** Names of every query-level setting the server knows: check before sending one. */
  settings: ReadonlySet<string>
  /** Names of every MergeTree table setting the server knows. */
  mergeTreeSettings: ReadonlySet<string>
  /** Names of every data type family (`system.data_type_families`). */
  dataTypes: ReadonlySet<string>
  /** Formats the server can write (`system.formats`): `Parquet` is missing on 18.x. */
  outputFormats: ReadonlySet<string>
}

async function names(client: ClickHouseClient, query: string): Promise<Set<string>> {
  const result = await client.query({ query, format: 'JSONEachRow' })
  const rows = await result.json<{ name: string }>()
  return new Set(rows.map((row) => row.name))
}

/** `{name:Type}` query parameters: a probe query, since 18.x servers reject them with error 115/456. */
export async function supportsQueryParameters(client: ClickHouseClient): Promise<boolean> {
  try {
    const result = await client.query({
      query: 'SELECT {probe:UInt8} AS probe',
      query_params: { probe: 1 },
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ probe: number }>()
    return rows[0]?.probe === 1
  } catch {
    return false
  }
}

export function parseVersion(version: string): { major: number; minor: number } {
  const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10))
  return { major: Number.isNaN(major) ? 0 : (major ?? 0), minor: Number.isNaN(minor) ? 0 : (minor ?? 0) }
}

export async function probeCapabilities(target: ClickHouseDatabase): Promise<ClickHouseCapabilities> {
  const { client } = target
  const versionRows = await (
    await client.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })
  ).json<{
    version: string
  }>()
  const version = versionRows[0]?.version ?? '0.0'
  const { major, minor } = parseVersion(version)
  const [settings, mergeTreeSettings, dataTypes, outputFormats, queryParameters] = await Promise.all([
    names(client, 'SELECT name FROM system.settings'),
    names(client, 'SELECT name FROM system.merge_tree_settings'),
    names(client, 'SELECT name FROM system.data_type_families'),
    names(client, 'SELECT name FROM system.formats WHERE is_output = 1'),
    supportsQueryParameters(client),
  ])
  const atLeast = (wantMajor: number, wantMinor: number) =>
    major > wantMajor || (major === wantMajor && minor >= wantMinor)
  return {
    version,
    major,
    minor,
    insertDeduplicationToken: settings.has('insert_deduplication_token'),
    nonReplicatedDeduplicationWindow: mergeTreeSettings.has('non_replicated_deduplication_window'),
    dependentViewDeduplication: settings.has('deduplicate_blocks_in_dependent_materialized_views'),
    asyncInsert: settings.has('async_insert'),
    queryParameters,
    replacingIsDeleted: atLeast(23, 2),
    lowCardinality: dataTypes.has('LowCardinality'),
    lowCardinalityExperimental: settings.has('allow_experimental_low_cardinality_type') && !atLeast(19, 9),
    dateTime64: dataTypes.has('DateTime64'),
    date32: dataTypes.has('Date32'),
    bool: dataTypes.has('Bool'),
    map: dataTypes.has('Map'),
    ipv4: dataTypes.has('IPv4'),
    settings,
    mergeTreeSettings,
    dataTypes,
    outputFormats,
  }
}

/** The capabilities a model-level decision turns off on this server, in words for the log. */
export function missingCapabilities(capabilities: ClickHouseCapabilities): string[] {
  const missing: string[] = []
  if (!capabilities.insertDeduplicationToken)
    missing.push('insert_deduplication_token (retries rely on the engine to absorb replays)')
  if (!capabilities.nonReplicatedDeduplicationWindow) missing.push('non_replicated_deduplication_window')
  if (!capabilities.dependentViewDeduplication) missing.push('deduplicate_blocks_in_dependent_materialized_views')
  if (!capabilities.queryParameters) missing.push('query parameters')
  if (!capabilities.replacingIsDeleted) missing.push('ReplacingMergeTree(version, is_deleted)')
  return missing
}
