import { Command, InvalidArgumentError } from 'commander'
import { SingleBar } from 'cli-progress'
import type { BackfillStatus } from '../../../workflows/backfill-types.js'
import { backfillStatusQuery, cancelBackfillSignal, pauseSignal, resumeSignal } from '../../../workflows/messages.js'
import { backfillHandle, startBackfill, type BackfillWorkflowHandle } from '../temporal/backfill-workflows.js'
import { selectImportKeys } from './context.js'
import { CONFIG_OPTION, signalCommand, type SignalCommand } from './signal-command.js'
import type { WithContext } from './sync-commands.js'

function positiveInteger(value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer')
  return parsed
}

/** One line of a status, for the log of a detached terminal and for `backfill status`. */
export function formatBackfillStatus(status: BackfillStatus): string {
  const eta = status.etaSeconds === null ? '' : `, ETA ${status.etaSeconds} s`
  const error = status.blocked ?? status.lastError
  return (
    `${status.importKey}: backfill ${status.state} (${status.method ?? 'planning'}), ` +
    `${status.rangesDone}/${status.ranges} ranges (${status.rangesInFlight} in flight), ${status.rows} rows, ` +
    `${status.rowsPerSecond} rows/s, ${status.rowsPerSecondPerRange} rows/s per range worker${eta}` +
    (error ? `\n  ${status.blocked ? 'blocked' : 'last error'}: ${error.message}` : '')
  )
}

const ENDED = new Set<BackfillStatus['state']>(['done', 'cancelled'])

/**
 * Follows a backfill until it ends: a progress bar of ranges on a terminal, a status line every
 * few seconds otherwise. A blocked backfill ends the wait with exit code 1 (it waits for `resume`).
 */
async function follow(handle: BackfillWorkflowHandle): Promise<void> {
  const bar = process.stderr.isTTY
    ? new SingleBar({
        stream: process.stderr,
        format: ' {bar} {value}/{total} ranges | {rows} rows | {rate} rows/s | ETA {eta_s}',
      })
    : undefined
  let started = false
  let lastLine = 0
  for (;;) {
    const status = await handle.query(backfillStatusQuery)
    if (bar && status.ranges > 0) {
      const payload = { rows: status.rows, rate: status.rowsPerSecond, eta_s: status.etaSeconds ?? '?' }
      if (!started) bar.start(status.ranges, status.rangesDone, payload)
      else bar.update(status.rangesDone, payload)
      started = true
    } else if (!bar && Date.now() - lastLine > 5000) {
      console.log(formatBackfillStatus(status))
      lastLine = Date.now()
    }
    if (ENDED.has(status.state) || status.state === 'blocked') {
      bar?.stop()
      console.log(formatBackfillStatus(status))
      if (status.state === 'blocked') process.exitCode = 1
      return
    }
    await new Promise((done) => setTimeout(done, 1000))
  }
}

/** `chsync backfill MODEL [--parallel N] [--range-rows N] [--detach]`. */
function startCommand(withContext: WithContext): Command {
  return new Command('start')
    .description("copy a model's existing source rows into ClickHouse, beside its live sync (docs/backfill.md)")
    .argument('<model>', 'import key')
    .option('--parallel <n>', 'most range copies at once, over every worker', positiveInteger, 4)
    .option('--range-rows <n>', 'rows per range', positiveInteger, 100_000)
    .option('--detach', 'return once started instead of following its progress')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { parallel: number; rangeRows: number; detach?: boolean; config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false) as [string]
        const client = await context.client()
        const handle = await startBackfill(client, context.temporal, importKey, {
          parallel: options.parallel,
          rangeRows: options.rangeRows,
        })
        console.log(`${importKey}: backfill running as ${handle.workflowId}`)
        if (!options.detach) await follow(handle)
      }),
    )
}

function statusCommand(withContext: WithContext): Command {
  return new Command('status')
    .description('show ranges done, rows, rows/s and ETA of a backfill')
    .argument('<model>', 'import key')
    .option('--json', 'print JSON')
    .option(...CONFIG_OPTION)
    .action((model: string, options: { json?: boolean; config: string }) =>
      withContext(options.config, async (context) => {
        const [importKey] = selectImportKeys(context, [model], false) as [string]
        const status = await backfillHandle(await context.client(), importKey).query(backfillStatusQuery)
        console.log(options.json ? JSON.stringify(status, null, 2) : formatBackfillStatus(status))
      }),
    )
}

const SIGNALS: SignalCommand[] = [
  { name: 'pause', signal: pauseSignal, description: 'start no new range (those in flight finish)' },
  { name: 'resume', signal: resumeSignal, description: 'start ranges again, also after a blocking error was fixed' },
  { name: 'cancel', signal: cancelBackfillSignal, description: 'end the backfill; copied ranges stay' },
].map(({ signal, ...entry }) => ({
  ...entry,
  sent: `backfill ${entry.name}`,
  send: (client, importKey) => backfillHandle(client, importKey).signal(signal),
}))

/**
 * `chsync backfill MODEL …` (start is the default subcommand) and `chsync backfill
 * status|pause|resume|cancel MODEL`.
 */
export function backfillCommand(withContext: WithContext): Command {
  const command = new Command('backfill').description('load the existing rows of a model (docs/backfill.md)')
  command.addCommand(startCommand(withContext), { isDefault: true })
  command.addCommand(statusCommand(withContext))
  for (const entry of SIGNALS) command.addCommand(signalCommand(withContext, entry))
  return command
}
