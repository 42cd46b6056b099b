import { ChsyncError, messageOf } from './errors.js'
import { redactUrl } from './redact.js'

/** How long a service may take to answer at start before a process gives up on it. */
const REACH_TIMEOUT_MS = 10_000

/**
 * Says what a service's own reply to the first call means ("database x does not exist: run chsync
 * migrate"), or undefined when the error is not a reply (a refused connection, a timeout).
 */
export type Refusal = (error: unknown) => string | undefined

/**
 * Runs the first call to a service (a ping) and, when it fails or does not answer within 10 s, says
 * which service failed and where (password masked): "cannot reach" when no reply came, "was reached,
 * but …" when the service answered with a refusal `refusal` recognizes. Clients such as ioredis retry
 * on their own for minutes; a process starting up (the worker, a CLI command) should not.
 */
export async function reach<T>(service: string, where: string, work: () => Promise<T>, refusal?: Refusal): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000} s`)), REACH_TIMEOUT_MS)
  })
  try {
    return await Promise.race([work(), timeout])
  } catch (error) {
    const refused = refusal?.(error)
    const message = refused
      ? `${service} at ${redactUrl(where)} was reached, but ${refused}`
      : `cannot reach ${service} at ${redactUrl(where)}: ${messageOf(error)}`
    throw new ChsyncError(message, {}, { cause: error })
  } finally {
    clearTimeout(timer)
  }
}
