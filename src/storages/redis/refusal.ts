import type { Refusal } from '../../reach.js'

/** Replies of a Redis that was reached but refused the client: no password, a wrong one, an ACL. */
const REFUSALS = /^(NOAUTH|WRONGPASS|NOPERM)\b/

/**
 * A Redis refusal, in words that say what to fix. Input: ioredis's ReplyError, whose message starts
 * with the server's error code.
 */
export function redisRefusal(prefix: string): Refusal {
  return (error) => {
    const message = error instanceof Error ? error.message : ''
    const code = REFUSALS.exec(message)?.[1]
    if (!code) return undefined
    const fix =
      code === 'NOPERM'
        ? `give the Redis user the commands chsync runs on keys ${prefix}:* (ACL SETUSER)`
        : 'check the user and password in redis.url (or CHSYNC_REDIS_URL)'
    return `refused chsync: ${message.trim()}: ${fix}`
  }
}
