import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker'
import type { Logger } from '../logger.js'

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
}

let installed = false

/**
 * Sends the Temporal SDK's own logs (worker state, bundler output, activity failures) into chsync's
 * structured log at `level` and above, instead of the SDK's console lines on stderr. Once per process,
 * before the first worker; later calls (and processes where a runtime already exists) change nothing.
 */
export function routeTemporalLogs(logger: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return
  installed = true
  const log = logger.child({ component: 'temporal' })
  try {
    Runtime.install({
      logger: new DefaultLogger(level, (entry: LogEntry) => log[LEVELS[entry.level]]({ ...entry.meta }, entry.message)),
    })
  } catch {
    // A runtime was already created (a test harness, an embedding app): keep its logger.
  }
}
