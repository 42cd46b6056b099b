import { Command } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { makeMigrations } from '../../migrations/makemigrations.js'

/** `chsync makemigrations`: writes the next migration file from the models. */
export function makeMigrationsCommand(): Command {
  return new Command('makemigrations')
    .description('write the next migration file from the difference between the models and the migrations')
    .option('--config <file>', 'config file', 'chsync.config.ts')
    .option('--name <name>', 'file name after the number (default: initial, then auto)')
    .option('--import-from <module>', 'module the file imports the operations from', 'chsync')
    .action(async (options: { config: string; name?: string; importFrom: string }) => {
      const config = await loadConfig(options.config)
      const written = await makeMigrations(config, {
        importFrom: options.importFrom,
        ...(options.name === undefined ? {} : { name: options.name }),
      })
      if (!written) console.log('no changes')
      else console.log(`${written.path}: ${written.operations.map((operation) => operation.kind).join(', ')}`)
    })
}
