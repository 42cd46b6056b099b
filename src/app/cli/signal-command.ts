import type { Client } from '@temporalio/client'
import { Command } from 'commander'
import { selectImportKeys } from './context.js'
import type { WithContext } from './sync-commands.js'

export const CONFIG_OPTION = ['-c, --config <file>', 'configuration file', 'chsync.config.ts'] as const

/** A command that sends one signal to one model's workflow (sync or backfill). */
export interface SignalCommand {
  name: string
  description: string
  send(client: Client, importKey: string): Promise<void>
  /** What was sent, for the confirmation line `<import key>: <sent> sent`. */
  sent: string
}

export function signalCommand(withContext: WithContext, entry: SignalCommand): Command {
  return new Command(entry.name)
    .description(entry.description)
    .argument('<model>', 'import key')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false) as [string]
        await entry.send(await context.client(), importKey)
        console.log(`${importKey}: ${entry.sent} sent`)
      }),
    )
}
