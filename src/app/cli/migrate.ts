import { Command, InvalidArgumentError } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { migrate } from '../../migrations/migrate.js'

function migrationNumber(value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a migration number')
  return number
}

/** `chsync migrate`: applies pending migrations on every alias the routing allows. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply pending migrations on each database alias (recorded in chsync_migrations)')
    .option('--config <file>', 'config file', 'chsync.config.ts')
    .option('--database <alias>', 'only this database alias')
    .option('--to <number>', 'apply migrations up to and including this number', migrationNumber)
    .option('--dry-run', 'print each statement instead of running it')
    .action(async (options: { config: string; database?: string; to?: number; dryRun?: boolean }) => {
      const config = await loadConfig(options.config)
      const result = await migrate(config, {
        ...(options.database === undefined ? {} : { database: options.database }),
        ...(options.to === undefined ? {} : { to: options.to }),
        dryRun: options.dryRun === true,
      })
      for (const { alias, reason } of result.skipped) console.log(`${alias}: skipped (${reason})`)
      if (result.applied.length === 0) console.log('no pending migrations')
    })
}
