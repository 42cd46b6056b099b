import { probeCapabilities } from '../clickhouse/capabilities.js'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { openAlias, openDatabaseName } from '../clickhouse/open-alias.js'
import { qualifiedTable, quoteIdentifier } from '../clickhouse/sql.js'
import type { ResolvedConfig } from '../config/load-config.js'
import type { DatabaseConfig } from '../config/schema.js'
import { ConfigError } from '../errors.js'
import { listMigrations, loadMigration, type MigrationFile } from './files.js'
import type { MigrationOperation } from './operations.js'
import { operationAliases, operationStatements } from './statements.js'

/** The table, in each alias's database, that records which migrations ran there. */
export const MIGRATIONS_TABLE = 'chsync_migrations'

export interface MigrateOptions {
  /** Only this alias. @default every alias */
  database?: string
  /** Apply migrations up to and including this number. @default all */
  to?: number
  /** Print each statement instead of running it; records nothing. @default false */
  dryRun?: boolean
  /** Where statements and notes are printed. @default console.log */
  log?: (line: string) => void
  /** `non_replicated_deduplication_window` for created tables. @default DEFAULT_DEDUPLICATION_WINDOW */
  deduplicationWindow?: number
}

export interface MigrateResult {
  /** Migrations applied (or, with dryRun, that would be), per alias. */
  applied: { alias: string; migration: string }[]
  /** Aliases skipped, with the reason. */
  skipped: { alias: string; reason: string }[]
}

async function appliedMigrations(db: ClickHouseDatabase): Promise<Set<string>> {
  const result = await db.client.query({
    query: `SELECT name FROM ${qualifiedTable(db.database, MIGRATIONS_TABLE)}`,
    format: 'JSONEachRow',
  })
  return new Set((await result.json<{ name: string }>()).map((row) => row.name))
}

async function migrateAlias(
  config: ResolvedConfig,
  alias: string,
  migrations: { file: MigrationFile; operations: MigrationOperation[] }[],
  options: MigrateOptions,
  result: MigrateResult,
): Promise<void> {
  const log = options.log ?? console.log
  const database = config.databases[alias] as DatabaseConfig
  // One client on `default` for everything: every statement names its database, and a client bound
  // to a database that does not exist yet (first run, dry run) cannot even read system tables.
  const admin = openAlias(database, 'default')
  const db: ClickHouseDatabase = { ...admin, database: openDatabaseName(database) }
  try {
    const capabilities = await probeCapabilities(admin)
    const databaseSQL = `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(db.database)}`
    const recordSQL =
      `CREATE TABLE IF NOT EXISTS ${qualifiedTable(db.database, MIGRATIONS_TABLE)} ` +
      '(name String, applied_at DateTime) ENGINE = MergeTree ORDER BY name'
    let applied = new Set<string>()
    if (options.dryRun) {
      applied = await appliedMigrations(db).catch(() => new Set<string>())
    } else {
      await admin.client.command({ query: databaseSQL })
      await db.client.command({ query: recordSQL })
      applied = await appliedMigrations(db)
    }
    for (const { file, operations } of migrations) {
      if (applied.has(file.name)) continue
      log(`${options.dryRun ? '[dry-run] ' : ''}${alias}: ${file.name}`)
      for (const operation of operations) {
        if (!operationAliases(config, operation).includes(alias)) continue
        const note = (line: string) => log(`  -- ${line}`)
        const statements = await operationStatements(
          { config, db, capabilities, note, deduplicationWindow: options.deduplicationWindow },
          operation,
        )
        for (const statement of statements) {
          if (options.dryRun) log(`${statement.sql};`)
          else await db.client.command({ query: statement.sql, clickhouse_settings: statement.settings })
        }
      }
      if (!options.dryRun)
        await db.client.insert({
          table: qualifiedTable(db.database, MIGRATIONS_TABLE),
          values: [{ name: file.name, applied_at: Math.floor(Date.now() / 1000) }],
          format: 'JSONEachRow',
        })
      result.applied.push({ alias, migration: file.name })
    }
  } finally {
    await admin.client.close()
  }
}

/**
 * Applies pending migrations on each alias (or `options.database` only), in number order: each
 * operation runs where routing sends it (replicated tables once per cluster, others on every alias),
 * and each migration is recorded in that alias's `chsync_migrations` table once its operations ran.
 * Idempotent: a recorded migration is skipped, and a migration cut off half-way re-runs safely
 * (`IF NOT EXISTS`, alterations computed from the live table). Readonly aliases and aliases with
 * `migrate: false` are skipped.
 */
export async function migrate(config: ResolvedConfig, options: MigrateOptions = {}): Promise<MigrateResult> {
  if (options.database !== undefined && !(options.database in config.databases))
    throw new ConfigError(
      `unknown database alias ${options.database} (known: ${Object.keys(config.databases).join(', ')})`,
    )
  const files = listMigrations(config.migrationsDir).filter(
    (file) => options.to === undefined || file.number <= options.to,
  )
  const migrations = []
  for (const file of files) migrations.push({ file, operations: await loadMigration(file) })
  const result: MigrateResult = { applied: [], skipped: [] }
  for (const [alias, database] of Object.entries(config.databases)) {
    if (options.database !== undefined && alias !== options.database) continue
    if (database.readonly) result.skipped.push({ alias, reason: 'readonly' })
    else if (database.migrate === false) result.skipped.push({ alias, reason: 'migrate: false' })
    else await migrateAlias(config, alias, migrations, options, result)
  }
  return result
}
