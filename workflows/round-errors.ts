import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow'
import type { NonRetryableErrorType } from '../src/errors.js'
import type { ErrorSummary } from './types.js'

/** Errors a retry cannot fix; kept in step with NON_RETRYABLE_ERROR_TYPES in src/errors.ts (a test checks). */
export const NON_RETRYABLE: readonly NonRetryableErrorType[] = ['ConfigError', 'SchemaMismatchError', 'PoisonRowError']

function rootCause(error: unknown): unknown {
  return error instanceof ActivityFailure && error.cause ? error.cause : error
}

/** A failure no retry can fix: the activity marked it non-retryable with one of our error types. */
export function isConfigurationError(error: unknown): boolean {
  const cause = rootCause(error)
  return cause instanceof ApplicationFailure && (NON_RETRYABLE as readonly string[]).includes(cause.type ?? '')
}

/** What the status shows of a failed round: the activity's own error, not Temporal's wrapper. */
export function summarize(error: unknown): ErrorSummary {
  const cause = rootCause(error)
  const type =
    cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause instanceof Error ? cause.name : 'Error'
  const message = cause instanceof Error ? cause.message : String(cause)
  return { message, type, at: new Date().toISOString() }
}
