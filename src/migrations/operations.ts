import type { Model } from '../models/model.js'

/** The operation kinds a migration file may list. A closed vocabulary. */
export const MIGRATION_OPERATION_KINDS = ['createTable', 'alterTable', 'dropTable', 'runSQL'] as const
export type MigrationOperationKind = (typeof MIGRATION_OPERATION_KINDS)[number]
export function isMigrationOperationKind(value: unknown): value is MigrationOperationKind {
  return typeof value === 'string' && (MIGRATION_OPERATION_KINDS as readonly string[]).includes(value)
}

/**
 * A model, or the ClickHouse table name of a model in the config (what generated migrations use, so a
 * migration file needs no import of the models).
 */
export type ModelRef = Model | string

/** Column name → ClickHouse type: the table as this migration leaves it (makemigrations' state). */
export type ColumnSnapshot = Record<string, string>

/** Where an operation without a model runs. */
export interface MigrationHints {
  /** Run where this model migrates. */
  model?: ModelRef
  /** Run on these aliases only. @default every alias that migrates */
  aliases?: readonly string[]
  /**
   * The statement replicates itself (an ALTER of a Replicated table): run once per alias group
   * (cluster) instead of on every alias. @default false
   */
  replicated?: boolean
}

export interface CreateTableOperation {
  kind: 'createTable'
  model: ModelRef
  snapshot?: ColumnSnapshot
}

export interface AlterTableOperation {
  kind: 'alterTable'
  model: ModelRef
  /** Drop live columns the model no longer has. Off by default: a drop loses data. @default false */
  allowDrop?: boolean
  snapshot?: ColumnSnapshot
}

export interface DropTableOperation {
  kind: 'dropTable'
  table: string
  hints: MigrationHints
}

export interface RunSQLOperation {
  kind: 'runSQL'
  statements: readonly string[]
  hints: MigrationHints
}

export type MigrationOperation = CreateTableOperation | AlterTableOperation | DropTableOperation | RunSQLOperation

/**
 * `CREATE TABLE IF NOT EXISTS` for a model, on every alias it migrates on.
 * @example createTable(users)
 */
export function createTable(model: ModelRef, options: { snapshot?: ColumnSnapshot } = {}): CreateTableOperation {
  return { kind: 'createTable', model, ...options }
}

/**
 * Brings the live table to the model: adds missing columns, modifies columns whose type differs, and
 * drops columns the model lacks only with `allowDrop`.
 * @example alterTable(users, { allowDrop: true })
 */
export function alterTable(
  model: ModelRef,
  options: { allowDrop?: boolean; snapshot?: ColumnSnapshot } = {},
): AlterTableOperation {
  return { kind: 'alterTable', model, ...options }
}

/**
 * `DROP TABLE IF EXISTS`, on every alias (a DROP never replicates). A model's table: pass the model.
 * @example dropTable('old_events', { aliases: ['default'] })
 */
export function dropTable(table: string | Model, hints: MigrationHints = {}): DropTableOperation {
  return typeof table === 'string'
    ? { kind: 'dropTable', table, hints }
    : { kind: 'dropTable', table: table.table, hints: { model: table, ...hints } }
}

/**
 * Raw SQL, one statement per string. `{database}` is replaced by the alias's quoted database name.
 * @example runSQL('ALTER TABLE {database}.users ADD INDEX i_name name TYPE bloom_filter GRANULARITY 4', { model: users })
 */
export function runSQL(statements: string | readonly string[], hints: MigrationHints = {}): RunSQLOperation {
  return { kind: 'runSQL', statements: typeof statements === 'string' ? [statements] : statements, hints }
}
