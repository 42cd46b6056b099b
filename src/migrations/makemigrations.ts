import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ResolvedConfig } from '../config/load-config.js'
import type { Model } from '../models/model.js'
import { listMigrations, loadMigration } from './files.js'
import type { AlterTableOperation, ColumnSnapshot, CreateTableOperation, DropTableOperation } from './operations.js'
import { resolveModel } from './statements.js'

/** A model's columns as a snapshot: what a migration records the table as. */
function snapshotOf(model: Model): ColumnSnapshot {
  return Object.fromEntries(Object.entries(model.fields).map(([name, field]) => [name, field.toSQLType()]))
}

function sameSnapshot(a: ColumnSnapshot, b: ColumnSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The tables the existing migrations leave, with their columns (snapshots, else the model today). */
async function migrationState(config: ResolvedConfig): Promise<Map<string, ColumnSnapshot>> {
  const state = new Map<string, ColumnSnapshot>()
  for (const file of listMigrations(config.migrationsDir)) {
    for (const operation of await loadMigration(file)) {
      if (operation.kind === 'createTable' || operation.kind === 'alterTable') {
        // The snapshot when the file has one: its model may be gone from the config since.
        const table = typeof operation.model === 'string' ? operation.model : operation.model.table
        state.set(table, operation.snapshot ?? snapshotOf(resolveModel(config, operation.model)))
      } else if (operation.kind === 'dropTable') state.delete(operation.table)
    }
  }
  return state
}

type SchemaOperation = CreateTableOperation | AlterTableOperation | DropTableOperation

function render(operations: SchemaOperation[], importFrom: string): string {
  const kinds = [...new Set(operations.map((operation) => operation.kind))].sort()
  const lines = operations.map((operation) => {
    if (operation.kind === 'dropTable') return `  dropTable(${JSON.stringify(operation.table)}),`
    const table = typeof operation.model === 'string' ? operation.model : operation.model.table
    return `  ${operation.kind}(${JSON.stringify(table)}, { snapshot: ${JSON.stringify(operation.snapshot)} }),`
  })
  return [
    '// Written by `chsync makemigrations`: the tables as the models declare them. Review before applying:',
    '// a dropTable deletes the table and its data on every alias.',
    `import { ${kinds.join(', ')} } from ${JSON.stringify(importFrom)}`,
    '',
    'export default [',
    ...lines,
    ']',
    '',
  ].join('\n')
}

export interface MakeMigrationsOptions {
  /** File name after the number. @default 'auto' (or 'initial' for the first) */
  name?: string
  /** Module the generated file imports the operations from. @default 'chsync' */
  importFrom?: string
}

/**
 * Writes the next migration file from the difference between the models and the state the existing
 * migrations leave: `createTable` for a table no migration creates, `alterTable` for one whose columns
 * changed (column drops stay opt-in), `dropTable` for a table no model declares any more. Returns the
 * file written, or null when nothing changed.
 */
export async function makeMigrations(
  config: ResolvedConfig,
  options: MakeMigrationsOptions = {},
): Promise<{ path: string; operations: SchemaOperation[] } | null> {
  const state = await migrationState(config)
  const operations: SchemaOperation[] = []
  for (const model of config.registry.models()) {
    const snapshot = snapshotOf(model)
    const previous = state.get(model.table)
    if (previous === undefined) operations.push({ kind: 'createTable', model: model.table, snapshot })
    else if (!sameSnapshot(previous, snapshot)) operations.push({ kind: 'alterTable', model: model.table, snapshot })
  }
  // A table the migrations created that no model declares any more: dropped (the file is reviewed
  // before it is applied, and a drop loses data, so the header says so).
  const declared = new Set(config.registry.models().map((model) => model.table))
  for (const table of state.keys()) {
    if (!declared.has(table)) operations.push({ kind: 'dropTable', table, hints: {} })
  }
  if (operations.length === 0) return null
  const existing = listMigrations(config.migrationsDir)
  const number = (existing.at(-1)?.number ?? 0) + 1
  const name = options.name ?? (existing.length === 0 ? 'initial' : 'auto')
  mkdirSync(config.migrationsDir, { recursive: true })
  const path = join(config.migrationsDir, `${String(number).padStart(4, '0')}_${name}.ts`)
  writeFileSync(path, render(operations, options.importFrom ?? 'chsync'))
  return { path, operations }
}
