import { Command } from 'commander'
import { selectImportKeys } from './context.js'
import type { WithContext } from './sync-commands.js'
import { CONFIG_OPTION } from './signal-command.js'

/**
 * `chsync skip MODEL KEY… [--reason TEXT]`: the way past a key no round can sync (invariant 8). The
 * keys' waiting operations become dead letters (listed by `dead-letters`, re-queued by
 * `retry-dead`), and a standing batch holding one of them is dropped so the next round claims
 * the rest. Keys are given as the storage holds them (`encodeKey`: `42`, `["a","1"]`).
 */
function skipCommand(withContext: WithContext): Command {
  return new Command('skip')
    .description("park a model's waiting operations on these keys as dead letters (pause the model first)")
    .argument('<model>', 'import key')
    .argument('<keys...>', 'encoded primary keys, as `chsync dead-letters` and the storage show them')
    .option('--reason <text>', 'recorded with each dead letter', 'skipped by an operator')
    .option(...CONFIG_OPTION)
    .action((model: string, keys: string[], options: { reason: string; config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false) as [string]
        const storage = await context.storage(importKey)
        const skipped = await storage.skipOperations(importKey, keys, options.reason)
        console.log(
          `${model}: ${skipped} operation(s) skipped into dead letters` +
            (skipped < keys.length ? ` (${keys.length - skipped} key(s) had nothing waiting)` : ''),
        )
      }),
    )
}

/** `chsync dead-letters MODEL [--json]`: every parked operation of a model with its reason. */
function deadLettersCommand(withContext: WithContext): Command {
  return new Command('dead-letters')
    .description("list a model's dead letters: parked operations with the reason, oldest first")
    .argument('<model>', 'import key')
    .option('--json', 'print JSON')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { json?: boolean; config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false) as [string]
        const letters = await (await context.storage(importKey)).deadLetters(importKey)
        if (options.json) return console.log(JSON.stringify(letters, null, 2))
        const lines = letters.map(
          ({ operation, error, at }) => `${at}  ${operation.kind} ${operation.key} (seq ${operation.seq}): ${error}`,
        )
        console.log(lines.length > 0 ? lines.join('\n') : `${model}: no dead letters`)
      }),
    )
}

export function deadLetterCommands(withContext: WithContext): Command[] {
  return [skipCommand(withContext), deadLettersCommand(withContext)]
}
