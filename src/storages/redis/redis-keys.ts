/**
 * Redis key names of one model. Every key carries the hash tag `{<import key>}` so that all keys a
 * script touches live in one Redis Cluster slot. Braces (and `%`, the escape) are percent-encoded in
 * the tag: a `}` inside the import key would otherwise end the tag early and split the model over slots.
 */
export type RedisModelKeys = {
  /** STRING: last sequence number handed out. */
  seq: string
  /** ZSET: waiting operations, member = encoded key, score = sequence. */
  ops: string
  /** HASH: encoded key → kind letter (i / u / d) of the waiting operation. */
  kinds: string
  /** HASH with TTL: owner, token. */
  lock: string
  /** STRING: last fencing token handed out. */
  fence: string
  /** HASH: batchId, size of the claimed batch. */
  claim: string
  /** ZSET: the claimed operations, member = key, score = sequence as claimed. */
  claimOps: string
  /** LIST: kind letters of the claimed operations, in the sequence order of claimOps. */
  claimKinds: string
  /** ZSET: scratch space of postSync, empty between scripts. */
  scratch: string
  /** LIST: dead letters as JSON. */
  dead: string
  /** STRING: the last sequence a relay from the PostgreSQL outbox registered (its watermark). */
  relayed: string
}

export function hashTag(importKey: string): string {
  return importKey.replace(/[{}%]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}

export function redisModelKeys(prefix: string, importKey: string): RedisModelKeys {
  const base = `${prefix}:{${hashTag(importKey)}}:`
  return {
    seq: `${base}seq`,
    ops: `${base}ops`,
    kinds: `${base}kinds`,
    lock: `${base}lock`,
    fence: `${base}fence`,
    claim: `${base}claim`,
    claimOps: `${base}claim-ops`,
    claimKinds: `${base}claim-kinds`,
    scratch: `${base}scratch`,
    dead: `${base}dead`,
    relayed: `${base}relayed`,
  }
}

/** HASH with TTL: staged name → data of one batch. */
export function stagedKey(prefix: string, importKey: string, batchId: string): string {
  return `${prefix}:{${hashTag(importKey)}}:staged:${batchId}`
}
