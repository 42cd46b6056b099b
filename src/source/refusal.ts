import type { Refusal } from '../reach.js'

/**
 * A PostgreSQL server's refusal of the connection, by SQLSTATE (class 28: authorization, 3D000:
 * no such database), in words that say what to fix. Other errors are not refusals.
 */
export const postgresRefusal: Refusal = (error) => {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  const message = error instanceof Error ? error.message : String(error)
  if (code.startsWith('28')) return `refused chsync: ${message}: check the user and password in postgres.url`
  if (code === '3D000') return `${message}: create it, or fix the database in postgres.url`
  return undefined
}
