import { Command } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { connectClient } from '../temporal/connect.js'
import { setupSearchAttributes } from '../temporal/search-attributes.js'

/**
 * `chsync setup`: registers the search attributes the sync workflows set on the config's Temporal
 * namespace, through the operator service. Safe to run again: it only adds what is missing.
 */
export function setupCommand(): Command {
  return new Command('setup')
    .description('register chsync’s search attributes on the Temporal namespace (once per namespace; idempotent)')
    .option('-c, --config <file>', 'configuration file', 'chsync.config.ts')
    .action(async (options: { config: string }) => {
      const { temporal } = await loadConfig(options.config)
      const client = await connectClient(temporal)
      try {
        const report = await setupSearchAttributes(client.connection.operatorService, temporal.namespace)
        const where = `Temporal namespace ${temporal.namespace} at ${temporal.address}`
        if (report.missing.length) console.log(`registered search attributes ${report.missing.join(', ')} on ${where}`)
        if (report.present.length) console.log(`already registered: ${report.present.join(', ')} on ${where}`)
      } finally {
        await client.connection.close()
      }
    })
}
