/**
 * chsync's errors: one class per decision a caller has to make. Every error carries the context
 * that locates it (model, import key, batch, table, column) and wraps — never replaces — its cause.
 */

/** Where an error happened; every field optional, filled in as far as the thrower knows. */
export interface ErrorContext {
  model?: string
  importKey?: string
  batchId?: string
  table?: string
  column?: string
  /** ClickHouse server error code (e.g. 60 = UNKNOWN_TABLE), when the cause is a server error. */
  code?: string
  /** ClickHouse server error type (e.g. `UNKNOWN_TABLE`). */
  type?: string
}

export class ChsyncError extends Error {
  override name = 'ChsyncError'
  readonly context: ErrorContext

  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.context = context
  }
}

/** The configuration is wrong (bad key, unknown model, duplicate import key). Retrying cannot help. */
export class ConfigError extends ChsyncError {
  override name = 'ConfigError'
}

/** A live table does not match its model (missing column, different type) or rights are missing. */
export class SchemaMismatchError extends ChsyncError {
  override name = 'SchemaMismatchError'
}

/** A row cannot be turned into a ClickHouse row (a value that does not fit its column). */
export class PoisonRowError extends ChsyncError {
  override name = 'PoisonRowError'
}

/** The intermediate storage failed or refused (lost lock, missing staged batch). Retryable. */
export class StorageError extends ChsyncError {
  override name = 'StorageError'
}

/**
 * Error names an activity must not retry: the workflow moves to `blocked` (or parks the row) instead.
 * Activities convert these to `ApplicationFailure.nonRetryable` at their boundary.
 */
export const NON_RETRYABLE_ERROR_TYPES = ['ConfigError', 'SchemaMismatchError', 'PoisonRowError'] as const
export type NonRetryableErrorType = (typeof NON_RETRYABLE_ERROR_TYPES)[number]

export function isNonRetryable(error: unknown): boolean {
  return error instanceof Error && (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(error.name)
}

/** The message of any thrown value, for wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
