import type { ClickHouseSettings } from '@clickhouse/client'
import type { ClickHouseCapabilities } from '../clickhouse/capabilities.js'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { qualifiedTable, quoteIdentifier } from '../clickhouse/sql.js'
import type { ResolvedConfig } from '../config/load-config.js'
import { ConfigError } from '../errors.js'
import { columnSQL, createTableStatement, ddlSettings, type Statement } from '../models/ddl.js'
import type { Field } from '../models/fields/common.js'
import type { Model } from '../models/model.js'
import { migrateAliases, onePerGroup } from '../routing/resolve.js'
import { diffColumns, readLiveColumns } from './live-table.js'
import type { AlterTableOperation, ColumnSnapshot, MigrationHints, MigrationOperation, ModelRef } from './operations.js'

/** Where an operation runs on, and the database and server it meets there. */
export interface OperationContext {
  config: ResolvedConfig
  db: ClickHouseDatabase
  capabilities: ClickHouseCapabilities
  deduplicationWindow?: number
  /** Notes for the operator (a kept column), printed with the statements. */
  note: (line: string) => void
}

/** The config's model for a reference (a model, or its table name). */
export function resolveModel(config: ResolvedConfig, ref: ModelRef): Model {
  if (typeof ref !== 'string') return ref
  const model = config.registry.models().find((candidate) => candidate.table === ref)
  if (!model) throw new ConfigError(`migration names table ${ref}, which no configured model has`, { table: ref })
  return model
}

/**
 * The model as a migration's snapshot recorded it: only the columns the snapshot has, so replaying
 * `createTable` creates what that migration created and later `alterTable`s add the rest.
 */
function asRecorded(model: Model, snapshot: ColumnSnapshot | undefined): Model {
  if (snapshot === undefined) return model
  const fields = Object.fromEntries(Object.entries(model.fields).filter(([name]) => name in snapshot))
  return Object.assign(Object.create(Object.getPrototypeOf(model) as object) as Model, model, { fields })
}

/** Aliases where an operation without a model runs, per its hints. */
function hintAliases(config: ResolvedConfig, hints: MigrationHints): string[] {
  const operation = hints.replicated ? 'alter' : 'create'
  if (hints.model !== undefined) return migrateAliases(resolveModel(config, hints.model), config, operation)
  const usable = Object.entries(config.databases)
    .filter(([, database]) => !database.readonly && database.migrate !== false)
    .filter(([alias]) => hints.aliases === undefined || hints.aliases.includes(alias))
    .map(([alias]) => alias)
  return hints.replicated ? onePerGroup(usable, config.databases) : usable
}

/**
 * The aliases an operation runs on: CREATE and DROP on every alias (they never replicate), ALTER of a
 * Replicated table once per cluster (it replicates), anything else on every alias.
 */
export function operationAliases(config: ResolvedConfig, operation: MigrationOperation): string[] {
  switch (operation.kind) {
    case 'createTable':
      return migrateAliases(resolveModel(config, operation.model), config, 'create')
    case 'alterTable':
      return migrateAliases(resolveModel(config, operation.model), config, 'alter')
    case 'dropTable':
    case 'runSQL':
      return hintAliases(config, operation.hints)
  }
}

async function alterStatements(context: OperationContext, operation: AlterTableOperation): Promise<Statement[]> {
  const { db, capabilities, config } = context
  const model = resolveModel(config, operation.model)
  const live = await readLiveColumns(db, model.table)
  if (live.size === 0)
    return [
      createTableStatement(model, capabilities, db.database, { deduplicationWindow: context.deduplicationWindow }),
    ]
  const table = qualifiedTable(db.database, model.table)
  const settings: ClickHouseSettings = ddlSettings(model, capabilities)
  const names = Object.keys(model.fields)
  const statements: Statement[] = []
  for (const difference of diffColumns(model, live)) {
    const field = model.fields[difference.column] as Field
    if (difference.kind === 'missing') {
      const previous = names[names.indexOf(difference.column) - 1]
      const position = previous === undefined ? ' FIRST' : ` AFTER ${quoteIdentifier(previous)}`
      const sql = `ALTER TABLE ${table} ADD COLUMN ${columnSQL(model, difference.column, field, capabilities)}`
      statements.push({ sql: previous === undefined && capabilities.major < 20 ? sql : sql + position, settings })
    } else if (difference.kind === 'type') {
      statements.push({
        sql: `ALTER TABLE ${table} MODIFY COLUMN ${columnSQL(model, difference.column, field, capabilities)}`,
        settings,
      })
    } else if (operation.allowDrop) {
      statements.push({ sql: `ALTER TABLE ${table} DROP COLUMN ${quoteIdentifier(difference.column)}`, settings })
    } else {
      context.note(
        `kept column ${difference.column} of ${table}: not in model ${model.importKey} ` +
          '(alterTable(model, { allowDrop: true }) drops it)',
      )
    }
  }
  return statements
}

/** The statements an operation runs on one alias; reads the live table for alterTable. */
export async function operationStatements(
  context: OperationContext,
  operation: MigrationOperation,
): Promise<Statement[]> {
  const { db, capabilities, config } = context
  switch (operation.kind) {
    case 'createTable':
      return [
        createTableStatement(
          asRecorded(resolveModel(config, operation.model), operation.snapshot),
          capabilities,
          db.database,
          {
            deduplicationWindow: context.deduplicationWindow,
          },
        ),
      ]
    case 'alterTable':
      return alterStatements(context, operation)
    case 'dropTable':
      return [{ sql: `DROP TABLE IF EXISTS ${qualifiedTable(db.database, operation.table)}`, settings: {} }]
    case 'runSQL':
      return operation.statements.map((sql) => ({
        sql: sql.replace(/\{database\}/g, quoteIdentifier(db.database)),
        settings: {},
      }))
  }
}
