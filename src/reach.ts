import { ChsyncError, messageOf } from './errors.js'
import { redactUrl } from './redact.js'

/** How long a service may take to answer at start before a process gives up on it. */
const REACH_TIMEOUT_MS = 10_000

/**
 * Runs the first call to a service (a ping) and, when it fails or does not answer within 10 s, says
 * which service could not be reached and where (password masked). Clients such as ioredis retry on
 * their own for minutes; a process starting up (the worker, a CLI command) should not.
 */
export async function reach<T>(service: string, where: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000} s`)), REACH_TIMEOUT_MS)
  })
  try {
    return await Promise.race([work(), timeout])
  } catch (error) {
    throw new ChsyncError(`cannot reach ${service} at ${redactUrl(where)}: ${messageOf(error)}`, {}, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}
