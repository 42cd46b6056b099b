import type { Logger as ClientLogger, ErrorLogParams, LogParams, WarnLogParams } from '@clickhouse/client'
import { logger } from '../logger.js'

const log = logger.child({ component: 'clickhouse-client' })

/**
 * Routes @clickhouse/client's own log lines into chsync's structured log. A failed query is thrown to
 * the caller, which decides whether it is an error (a capability probe expects some to fail), so the
 * client's error lines are kept at debug level instead of printed as errors.
 */
export class ClickHouseClientLogger implements ClientLogger {
  trace({ module, message, args }: LogParams): void {
    log.trace({ module, ...args }, message)
  }
  debug({ module, message, args }: LogParams): void {
    log.debug({ module, ...args }, message)
  }
  info({ module, message, args }: LogParams): void {
    log.info({ module, ...args }, message)
  }
  warn({ module, message, args, err }: WarnLogParams): void {
    log.warn({ module, ...args, err }, message)
  }
  error({ module, message, args, err }: ErrorLogParams): void {
    log.debug({ module, ...args, err }, message)
  }
}
