import { Command } from 'commander'
import { flushUpdate, pauseSignal, resumeSignal, stopSignal } from '../../../workflows/messages.js'
import { startSync, syncHandle } from '../temporal/sync-workflows.js'
import { selectImportKeys, type CliContext } from './context.js'
import { formatStatus } from './format-status.js'
import { missingWorker, modelStatus } from './model-status.js'
import { CONFIG_OPTION, signalCommand, type SignalCommand } from './signal-command.js'

/** Opens the context of the `--config` file for one command run, and always closes it. */
export type WithContext = (configPath: string, run: (context: CliContext) => Promise<void>) => Promise<void>

/** `chsync start [MODEL…] [--all]`: one workflow per model; starting a running one is harmless. */
function startCommand(withContext: WithContext): Command {
  return new Command('start')
    .description('start the sync workflow of each model (what the original clickhouse_auto_sync did with --all)')
    .argument('[models...]', 'import keys')
    .option('--all', 'every model whose sync is enabled')
    .option(...CONFIG_OPTION)
    .action((models: string[], options: { all?: boolean; config: string }) =>
      withContext(options.config, async (context) => {
        const client = await context.client()
        for (const importKey of selectImportKeys(context, models, options.all ?? false)) {
          const handle = await startSync(client, context.temporal, importKey)
          console.log(`${importKey}: running as ${handle.workflowId}`)
        }
      }),
    )
}

/** pause / resume / stop: one signal to one model's workflow. */
const SIGNALS: SignalCommand[] = [
  { name: 'pause', signal: pauseSignal, description: 'stop starting rounds; operations keep accumulating' },
  { name: 'resume', signal: resumeSignal, description: 'start rounds again, also after a blocking error was fixed' },
  { name: 'stop', signal: stopSignal, description: 'end the workflow after its current round; nothing is lost' },
].map(({ signal, ...entry }) => ({
  ...entry,
  sent: entry.name,
  send: (client, importKey) => syncHandle(client, importKey).signal(signal),
}))

/** `chsync flush MODEL [--wait]`: sync now; with --wait, until what was registered before is synced. */
function flushCommand(withContext: WithContext): Command {
  return new Command('flush')
    .description('sync a model now instead of after its delay')
    .argument('<model>', 'import key')
    .option('--wait', 'return once every operation registered before the call is synced')
    .option('--timeout <seconds>', 'longest wait with --wait', '60')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { wait?: boolean; timeout: string; config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false)
        const timeoutMs = Number(options.timeout) * 1000
        const result = await syncHandle(await context.client(), importKey as string).executeUpdate(flushUpdate, {
          args: [{ wait: options.wait ?? false, timeoutMs }],
        })
        console.log(
          options.wait
            ? `${model}: ${result.synced ? 'synced' : `not synced within ${options.timeout}s`}, backlog ${result.backlog}`
            : `${model}: flush requested, backlog ${result.backlog}`,
        )
        if (options.wait && !result.synced) process.exitCode = 1
      }),
    )
}

/**
 * `chsync status [MODEL] [--json]`: each model's workflow state, backlog and parked dead letters; also
 * without a running worker (then from what Temporal stored, and it says so).
 */
function statusCommand(withContext: WithContext): Command {
  return new Command('status')
    .description('show the sync state of one or every model')
    .argument('[model]', 'import key (default: every model)')
    .option('--json', 'print JSON')
    .option(...CONFIG_OPTION)
    .action((model: string | undefined, options: { json?: boolean; config: string }) =>
      withContext(options.config, async (context) => {
        const client = await context.client()
        const keys = model ? selectImportKeys(context, [model], false) : context.units.map((unit) => unit.importKey)
        // Asked once per task queue: every model of a config usually shares one.
        const checks = new Map<string, Promise<string | null>>()
        const workerCheck = (taskQueue: string) => {
          const check = checks.get(taskQueue) ?? missingWorker(client, taskQueue)
          checks.set(taskQueue, check)
          return check
        }
        const report = []
        for (const importKey of keys) {
          report.push(await modelStatus(client, await context.storage(importKey), importKey, workerCheck))
        }
        console.log(options.json ? JSON.stringify(report, null, 2) : report.map(formatStatus).join('\n\n'))
      }),
    )
}

/** `chsync retry-dead MODEL`: registers parked operations again. */
function retryDeadCommand(withContext: WithContext): Command {
  return new Command('retry-dead')
    .description("re-queue a model's dead letters (after fixing the rows or the model)")
    .argument('<model>', 'import key')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false)
        const storage = await context.storage(importKey as string)
        const count = await storage.retryDeadLetters(importKey as string)
        console.log(`${model}: ${count} operation(s) re-queued`)
      }),
    )
}

export function syncCommands(withContext: WithContext): Command[] {
  return [
    startCommand(withContext),
    ...SIGNALS.map((entry) => signalCommand(withContext, entry)),
    flushCommand(withContext),
    statusCommand(withContext),
    retryDeadCommand(withContext),
  ]
}
