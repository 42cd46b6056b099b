import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { backfillCommand } from './backfill-commands.js'
import { capabilitiesCommand } from './capabilities.js'
import { captureCommand } from './capture.js'
import { checkCommand } from './check.js'
import { exportCommand } from './export.js'
import { makeMigrationsCommand } from './makemigrations.js'
import { migrateCommand } from './migrate.js'
import { setupCommand } from './setup.js'
import { withConfigContext } from './open-context.js'
import { syncCommands } from './sync-commands.js'
import { deadLetterCommands } from './dead-letter-commands.js'
import { workerCommand } from './worker.js'

const packageJson = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/** The `chsync` command line. Each command lives in its own file and is added here. */
export function createProgram(): Command {
  const program = new Command('chsync')
    .description('Keep ClickHouse tables in sync with PostgreSQL tables, durably and exactly once.')
    .version(packageJson.version)
    .showHelpAfterError()
    .addCommand(capabilitiesCommand())
    .addCommand(captureCommand())
    .addCommand(migrateCommand())
    .addCommand(makeMigrationsCommand())
    .addCommand(checkCommand())
    .addCommand(setupCommand())
    .addCommand(workerCommand())
    .addCommand(exportCommand())

  for (const command of syncCommands(withConfigContext)) program.addCommand(command)
  for (const command of deadLetterCommands(withConfigContext)) program.addCommand(command)
  program.addCommand(backfillCommand(withConfigContext))
  return program
}
