import { Command } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { checkModels } from '../../migrations/check.js'

/** `chsync check`: compares every model with its live tables; exits 1 on a mismatch or a table that will not deduplicate. */
export function checkCommand(): Command {
  return new Command('check')
    .description('check that every live table matches its model (names table, column, expected and actual type)')
    .option('--config <file>', 'config file', 'chsync.config.ts')
    .action(async (options: { config: string }) => {
      const config = await loadConfig(options.config)
      const checks = await checkModels(config)
      for (const { model, alias, error, deduplication } of checks) {
        const verdict = error ? 'MISMATCH' : deduplication ? 'NO DEDUP' : 'ok      '
        console.log(`${verdict} ${alias}: ${model.importKey} (${model.table})`)
        if (error ?? deduplication) console.log(`         ${error?.message ?? deduplication}`)
      }
      if (checks.some((check) => check.error ?? check.deduplication)) process.exitCode = 1
    })
}
