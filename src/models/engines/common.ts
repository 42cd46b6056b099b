import type { MergeTreeSettings } from '@clickhouse/client'

/** The MergeTree engine families chsync creates tables with. A closed vocabulary. */
export const ENGINE_KINDS = [
  'MergeTree',
  'ReplacingMergeTree',
  'CollapsingMergeTree',
  'VersionedCollapsingMergeTree',
  'SummingMergeTree',
  'AggregatingMergeTree',
] as const
export type EngineKind = (typeof ENGINE_KINDS)[number]
export function isEngineKind(value: unknown): value is EngineKind {
  return typeof value === 'string' && (ENGINE_KINDS as readonly string[]).includes(value)
}

/** A ClickHouse expression written by the model author, emitted as is (a key expression, a TTL). */
export interface SQLExpression {
  readonly kind: 'sql'
  readonly sql: string
}

/**
 * A raw ClickHouse expression: `` sql`toYYYYMM(created_at)` `` or `sql('toYYYYMM(created_at)')`.
 * Interpolation is refused: values never enter SQL text, only expressions the author wrote.
 */
export function sql(text: TemplateStringsArray | string): SQLExpression {
  const raw = typeof text === 'string' ? text : text.join('')
  return { kind: 'sql', sql: raw }
}

export function isSQLExpression(value: unknown): value is SQLExpression {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sql'
}

/** One part of a key: a column of the model (quoted in DDL) or an expression. */
export type KeyPart<TColumn extends string> = TColumn | SQLExpression

/**
 * Where a Replicated* table keeps its metadata. Both are templates the server expands per host
 * (`{shard}`, `{replica}` from its macros; `{database}`, `{table}` on ClickHouse ≥ 20.x).
 */
export interface Replication {
  /** @default '/clickhouse/tables/{shard}/{database}/{table}' */
  zooKeeperPath: string
  /** @default '{replica}' */
  replicaName: string
}

export const DEFAULT_REPLICATION: Replication = {
  zooKeeperPath: '/clickhouse/tables/{shard}/{database}/{table}',
  replicaName: '{replica}',
}

/**
 * Table settings: the client's typed MergeTree settings (which type 64-bit numbers as strings; numbers
 * are taken too), plus any a newer server knows.
 */
export type EngineSettings = { [K in keyof MergeTreeSettings]?: MergeTreeSettings[K] | number } & Record<
  string,
  string | number | boolean
>

/** The clauses every MergeTree family shares. */
export interface MergeTreeOptions<TColumn extends string> {
  /** `ORDER BY (…)`; an empty list emits `ORDER BY tuple()`. */
  orderBy: readonly KeyPart<TColumn>[]
  /** `PARTITION BY …`. @default none */
  partitionBy?: KeyPart<TColumn> | readonly KeyPart<TColumn>[]
  /** `PRIMARY KEY (…)`, a prefix of ORDER BY. @default ORDER BY */
  primaryKey?: readonly KeyPart<TColumn>[]
  /** `SAMPLE BY …` (must be part of the primary key). @default none */
  sampleBy?: KeyPart<TColumn>
  /** `TTL …`, e.g. `` sql`created_at + INTERVAL 1 YEAR` ``. @default none */
  ttl?: SQLExpression
  /** `SETTINGS k = v, …`. chsync adds `non_replicated_deduplication_window` where the server has it. */
  settings?: EngineSettings
  /** Makes the table `Replicated<Kind>`; `true` takes the default paths. @default not replicated */
  replication?: Replication | true
}

/** What every engine variant has: its kind tag and the shared clauses. */
export interface EngineBase<TKind extends EngineKind, TColumn extends string> extends MergeTreeOptions<TColumn> {
  readonly kind: TKind
}
