import { SdkComponent } from '@temporalio/common'
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker'
import type { Logger } from '../../logger.js'

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
}

let installed = false

/**
 * The SDK puts a failure under `error` ("Activity failed"), where JSON keeps only its enumerable
 * fields and loses the message; pino's `err` serializer keeps type, message and stack.
 */
function fields(entry: LogEntry): Record<string, unknown> {
  const { error, ...meta } = entry.meta ?? {}
  return error instanceof Error ? { ...meta, err: error } : { ...entry.meta }
}

const ORDER: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']

/**
 * Sends the Temporal SDK's own logs (worker state, bundler output, activity failures) into chsync's
 * structured log at `level` and above, instead of the SDK's console lines on stderr. The workflow's
 * own lines (`log` from @temporalio/workflow: a line per round, failed rounds) pass from INFO: they
 * are chsync's, and the logger's level (CHSYNC_LOG_LEVEL) decides. Once per process, before the first
 * worker; later calls (and processes where a runtime already exists) change nothing.
 */
export function routeTemporalLogs(logger: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return
  installed = true
  const log = logger.child({ component: 'temporal' })
  const passes = (entry: LogEntry) =>
    ORDER.indexOf(entry.level) >= ORDER.indexOf(entry.meta?.sdkComponent === SdkComponent.workflow ? 'INFO' : level)
  try {
    Runtime.install({
      logger: new DefaultLogger('INFO', (entry: LogEntry) => {
        if (passes(entry)) log[LEVELS[entry.level]](fields(entry), entry.message)
      }),
    })
  } catch {
    // A runtime was already created (a test harness, an embedding app): keep its logger.
  }
}
