import { ChsyncError, StorageError, isNonRetryable, messageOf } from '../errors.js'

/**
 * `storage` whose failures say which service failed and where (password masked, by the caller): a
 * client library's own message ("Reached the max retries per request limit", "Connection
 * terminated unexpectedly") names neither, and a worker talks to three services. A failure becomes
 * a retryable `StorageError` prefixed with `service`, keeping its context and the original as cause;
 * configuration errors (non-retryable) pass unchanged, class included.
 */
export function namingFailures<S extends object>(storage: S, service: string): S {
  const name = (error: unknown): never => {
    if (isNonRetryable(error)) throw error
    const context = error instanceof ChsyncError ? error.context : {}
    throw new StorageError(`${service}: ${messageOf(error)}`, context, { cause: error })
  }
  return new Proxy(storage, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args)
        return result instanceof Promise ? result.catch(name) : result
      }
    },
  })
}
