import { Command } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { checkModels } from '../../migrations/check.js'

/** `chsync check`: compares every model with its live tables; exits 1 on a mismatch. */
export function checkCommand(): Command {
  return new Command('check')
    .description('check that every live table matches its model (names table, column, expected and actual type)')
    .option('--config <file>', 'config file', 'chsync.config.ts')
    .action(async (options: { config: string }) => {
      const config = await loadConfig(options.config)
      const checks = await checkModels(config)
      for (const { model, alias, error } of checks) {
        console.log(`${error ? 'MISMATCH' : 'ok      '} ${alias}: ${model.importKey} (${model.table})`)
        if (error) console.log(`         ${error.message}`)
      }
      if (checks.some((check) => check.error)) process.exitCode = 1
    })
}
