import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createJiti } from 'jiti'
import { ConfigError, messageOf } from '../errors.js'
import { isMigrationOperationKind, type MigrationOperation } from './operations.js'

/** A migration file: `0001_initial.ts` is number 1, name `0001_initial`. */
export interface MigrationFile {
  number: number
  name: string
  path: string
}

/** Input: file names like `0001_initial.ts`; other files (README, helpers starting with `_`) are ignored. */
const FILE_PATTERN = /^(\d{4,})_[\w.-]+\.(?:ts|mts|js|mjs)$/

/** The migration files of a folder in number order; an empty list when the folder does not exist. */
export function listMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return []
  const files = readdirSync(dir)
    .map((file) => ({ file, match: FILE_PATTERN.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      number: Number(match[1]),
      name: file.replace(/\.[^.]+$/, ''),
      path: join(dir, file),
    }))
    .sort((a, b) => a.number - b.number)
  for (let index = 1; index < files.length; index++) {
    const previous = files[index - 1] as MigrationFile
    const current = files[index] as MigrationFile
    if (previous.number === current.number)
      throw new ConfigError(`migrations ${previous.name} and ${current.name} share number ${current.number}`)
  }
  return files
}

/** The operations a migration file default-exports (a list), checked to be operations. */
export async function loadMigration(file: MigrationFile): Promise<MigrationOperation[]> {
  let exported: unknown
  try {
    exported = await createJiti(import.meta.url, { moduleCache: false }).import(file.path, { default: true })
  } catch (error) {
    throw new ConfigError(`cannot load migration ${file.name}: ${messageOf(error)}`, {}, { cause: error })
  }
  if (!Array.isArray(exported)) throw new ConfigError(`migration ${file.name} must default-export a list of operations`)
  exported.forEach((operation: unknown, index) => {
    const kind = (operation as { kind?: unknown } | null)?.kind
    if (!isMigrationOperationKind(kind))
      throw new ConfigError(
        `migration ${file.name}, operation ${index}: expected createTable, alterTable, dropTable or runSQL`,
      )
  })
  return exported as MigrationOperation[]
}
