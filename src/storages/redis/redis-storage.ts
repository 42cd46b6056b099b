import type { Cluster, Redis } from 'ioredis'
import { StorageError } from '../../errors.js'
import { lockBusy, lostLock, notClaimed, syncing } from '../batch-errors.js'
import type { BacklogSnapshot, StorageMetrics } from '../metrics.js'
import type {
  BacklogRange,
  BatchRef,
  Claim,
  ClaimOptions,
  DeadLetter,
  Operation,
  OperationKind,
  PostSyncOutcome,
  Storage,
} from '../storage.js'
import { redisModelKeys, stagedKey } from './redis-keys.js'
import { REDIS_SCRIPTS, type RedisScriptName } from './scripts.js'

export interface RedisStorageOptions {
  /**
   * First segment of every key; one Redis can hold several independent chsync installations.
   * @default 'chsync'
   */
  prefix?: string
  /**
   * How long staged data outlives its last write: long enough for a blocked model to be fixed and
   * resume its batch, short enough that an abandoned batch does not hold memory forever.
   * @default 7 days
   */
  stagedTtlMs?: number
  /** Keys per registration script call; a pipeline carries all chunks in one round trip. @default 1000 */
  chunkSize?: number
  metrics?: StorageMetrics
  /** Whether `close()` quits the client (the storage owns it, as `openStorage` makes it). @default false */
  closeClient?: boolean
}

type ScriptArg = string | Buffer | number
type ScriptCaller = Record<RedisScriptName, (...args: ScriptArg[]) => Promise<unknown>>

/** An operation the relay moves from the PostgreSQL outbox. */
export interface RelayedOperation {
  key: string
  kind: OperationKind
}

const KIND_LETTERS = { insert: 'i', update: 'u', delete: 'd' } as const satisfies Record<OperationKind, string>
const LETTER_KINDS: Record<string, OperationKind> = { i: 'insert', u: 'update', d: 'delete' }

/**
 * The default storage: Redis through ioredis, every multi-key step one Lua script (src/storages/
 * redis/scripts.ts), all keys of a model in one hash slot so it runs unchanged on Redis Cluster.
 * The scripts are defined on the client given (`defineCommand`, EVALSHA with EVAL fallback).
 */
export class RedisStorage implements Storage {
  readonly prefix: string
  private readonly stagedTtlMs: number
  private readonly chunkSize: number
  private readonly metrics: StorageMetrics
  private readonly closeClient: boolean

  constructor(
    readonly redis: Redis | Cluster,
    options: RedisStorageOptions = {},
  ) {
    this.prefix = options.prefix ?? 'chsync'
    this.stagedTtlMs = options.stagedTtlMs ?? 7 * 24 * 3600 * 1000
    this.chunkSize = options.chunkSize ?? 1000
    this.metrics = options.metrics ?? {}
    this.closeClient = options.closeClient ?? false
    for (const [name, script] of Object.entries(REDIS_SCRIPTS)) redis.defineCommand(name, script)
  }

  private scripts(): ScriptCaller {
    return this.redis as unknown as ScriptCaller
  }

  private keys(importKey: string) {
    return redisModelKeys(this.prefix, importKey)
  }

  async registerOperations(importKey: string, kind: OperationKind, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0
    const k = this.keys(importKey)
    const pipeline = this.redis.pipeline() as unknown as ScriptCaller & { exec(): Promise<[Error | null, unknown][]> }
    for (let start = 0; start < keys.length; start += this.chunkSize) {
      void pipeline.chsyncRegister(
        k.seq,
        k.ops,
        k.kinds,
        KIND_LETTERS[kind],
        ...keys.slice(start, start + this.chunkSize),
      )
    }
    const results = await pipeline.exec()
    const failed = results.find(([error]) => error)
    // Chunks before a failed one stay registered: registration is idempotent, so the caller retries all.
    if (failed?.[0])
      throw new StorageError(
        `Registering operations failed for ${importKey}: ${failed[0].message}`,
        { importKey },
        { cause: failed[0] },
      )
    this.metrics.registered?.(importKey, keys.length)
    return keys.length
  }

  async operationsCount(importKey: string): Promise<number> {
    return this.redis.zcard(this.keys(importKey).ops)
  }

  async backlogRange(importKey: string): Promise<BacklogRange> {
    const k = this.keys(importKey)
    const [[, count], [, oldest], [, newest]] = (await this.redis
      .multi()
      .zcard(k.ops)
      .zrange(k.ops, '0', '0', 'WITHSCORES')
      .zrange(k.ops, '-1', '-1', 'WITHSCORES')
      .exec()) as [[null, number], [null, string[]], [null, string[]]]
    const seq = (reply: string[]) => (reply[1] === undefined ? null : Number(reply[1]))
    return { count, oldestSeq: seq(oldest), newestSeq: seq(newest) }
  }

  /** Backlog size and age of the oldest operation (its sequence is at least its registration time in µs). */
  async backlog(importKey: string): Promise<BacklogSnapshot> {
    const k = this.keys(importKey)
    const [[, size], [, oldest]] = (await this.redis
      .multi()
      .zcard(k.ops)
      .zrange(k.ops, '0', '0', 'WITHSCORES')
      .exec()) as [[null, number], [null, string[]]]
    return { size, oldestAgeMs: ageMs(oldest[1]) }
  }

  async preSync(importKey: string, options: ClaimOptions): Promise<Claim | null> {
    const k = this.keys(importKey)
    const reply = (await this.scripts().chsyncClaim(
      k.lock,
      k.fence,
      k.claim,
      k.claimOps,
      k.claimKinds,
      k.ops,
      k.kinds,
      options.owner,
      options.lockTtlMs,
      options.batchSize,
    )) as (string | number)[]
    const [status, first, second, token, backlog] = reply
    if (status === 'empty') return null
    if (status === 'locked') {
      throw new StorageError(`Sync lock for ${importKey} is held by ${first} for another ${second} ms`, { importKey })
    }
    return {
      importKey,
      batchId: String(first),
      size: Number(second),
      lockToken: String(token),
      resumed: status === 'resumed',
      backlog: Number(backlog),
    }
  }

  async getOperations(batch: BatchRef): Promise<Operation[]> {
    const k = this.keys(batch.importKey)
    const [[, batchId], [, scored], [, kinds]] = (await this.redis
      .multi()
      .hget(k.claim, 'batchId')
      .zrange(k.claimOps, '0', '-1', 'WITHSCORES')
      .lrange(k.claimKinds, 0, -1)
      .exec()) as [[null, string | null], [null, string[]], [null, string[]]]
    if (batchId !== batch.batchId) throw notClaimed(batch)
    const operations: Operation[] = []
    for (let index = 0; index < kinds.length; index++) {
      operations.push({
        key: scored[2 * index] as string,
        seq: Number(scored[2 * index + 1]),
        kind: LETTER_KINDS[kinds[index] as string] as OperationKind,
      })
    }
    return operations
  }

  async takeLock(importKey: string, options: Pick<ClaimOptions, 'owner' | 'lockTtlMs'>): Promise<Claim> {
    const k = this.keys(importKey)
    const [status, first, second] = (await this.scripts().chsyncTakeLock(
      k.lock,
      k.fence,
      k.claim,
      options.owner,
      options.lockTtlMs,
    )) as string[]
    if (status === 'locked') throw lockBusy(importKey, `held by ${first} for another ${second} ms`)
    if (status === 'claimed') throw lockBusy(importKey, `batch ${first} stands claimed by a round`)
    return {
      importKey,
      batchId: `lock:${options.owner}`,
      size: 0,
      lockToken: String(first),
      resumed: false,
      backlog: 0,
    }
  }

  async releaseLock(hold: Claim): Promise<void> {
    await this.scripts().chsyncReleaseLock(this.keys(hold.importKey).lock, hold.lockToken)
  }

  async extendLock(batch: Claim, ttlMs: number): Promise<void> {
    const held = await this.scripts().chsyncExtendLock(this.keys(batch.importKey).lock, batch.lockToken, ttlMs)
    if (held !== 1) throw lostLock(batch)
  }

  async stage(batch: Claim, name: string, data: Buffer): Promise<void> {
    const k = this.keys(batch.importKey)
    const staged = stagedKey(this.prefix, batch.importKey, batch.batchId)
    const status = await this.scripts().chsyncStage(
      k.lock,
      k.claim,
      staged,
      batch.lockToken,
      batch.batchId,
      name,
      data,
      this.stagedTtlMs,
    )
    if (status === 'fenced') throw lostLock(batch)
    if (status !== 'ok') throw notClaimed(batch)
  }

  async readStaged(batch: BatchRef, name: string): Promise<Buffer | null> {
    return this.redis.hgetBuffer(stagedKey(this.prefix, batch.importKey, batch.batchId), name)
  }

  async postSync(batch: Claim, options: { deadLetters?: readonly DeadLetter[] } = {}): Promise<PostSyncOutcome> {
    const k = this.keys(batch.importKey)
    const reply = (await this.scripts().chsyncPostSync(
      k.lock,
      k.claim,
      k.claimOps,
      k.claimKinds,
      k.ops,
      k.kinds,
      stagedKey(this.prefix, batch.importKey, batch.batchId),
      k.dead,
      k.scratch,
      batch.lockToken,
      batch.batchId,
      ...(options.deadLetters ?? []).map((letter) => JSON.stringify(letter)),
    )) as [string, number?, number?, string?]
    const [status, removed = 0, size = 0, oldest] = reply
    if (status === 'fenced') throw lostLock(batch)
    if (status === 'ok') {
      this.metrics.removed?.(batch.importKey, removed)
      this.metrics.backlog?.(batch.importKey, { size, oldestAgeMs: ageMs(oldest) })
    }
    return { removed, backlog: size, oldestSeq: oldest ? Number(oldest) : null }
  }

  async postSyncFailed(batch: Claim, _error: unknown): Promise<void> {
    await this.scripts().chsyncReleaseLock(this.keys(batch.importKey).lock, batch.lockToken)
  }

  async deadLetters(importKey: string): Promise<DeadLetter[]> {
    const letters = await this.redis.lrange(this.keys(importKey).dead, 0, -1)
    return letters.map((letter) => JSON.parse(letter) as DeadLetter)
  }

  async skipOperations(importKey: string, keys: readonly string[], reason: string): Promise<number> {
    if (keys.length === 0) return 0
    const k = this.keys(importKey)
    // The script checks the claim is still the one read here: only then is its staged key right.
    for (;;) {
      const batchId = (await this.redis.hget(k.claim, 'batchId')) ?? ''
      const [status, skipped = 0] = (await this.scripts().chsyncSkip(
        k.lock,
        k.claim,
        k.claimOps,
        k.claimKinds,
        k.ops,
        k.kinds,
        k.dead,
        stagedKey(this.prefix, importKey, batchId),
        batchId,
        reason,
        new Date().toISOString(),
        ...keys,
      )) as [string, number?]
      if (status === 'locked') throw syncing(importKey)
      if (status === 'ok') return skipped
    }
  }

  async retryDeadLetters(importKey: string): Promise<number> {
    const k = this.keys(importKey)
    return (await this.scripts().chsyncRetryDeadLetters(k.seq, k.ops, k.kinds, k.dead)) as number
  }

  /**
   * Registers operations relayed from the PostgreSQL outbox (src/capture/relay.ts), each chunk one
   * script that also records the relayed watermark (the last sequence it handed out). A crash
   * of the Redis server keeps a prefix of what it acknowledged, so where the watermark survives, the
   * operations registered up to it did too. Returns the watermark after the last chunk.
   */
  async registerRelayed(importKey: string, operations: readonly RelayedOperation[]): Promise<number> {
    const k = this.keys(importKey)
    const pipeline = this.redis.pipeline() as unknown as ScriptCaller & { exec(): Promise<[Error | null, unknown][]> }
    for (let start = 0; start < operations.length; start += this.chunkSize) {
      const args = operations.slice(start, start + this.chunkSize).flatMap(({ key, kind }) => [KIND_LETTERS[kind], key])
      void pipeline.chsyncRelay(k.seq, k.ops, k.kinds, k.relayed, ...args)
    }
    const results = await pipeline.exec()
    const failed = results.find(([error]) => error)
    if (failed?.[0])
      throw new StorageError(
        `Registering relayed operations failed for ${importKey}: ${failed[0].message}`,
        { importKey },
        { cause: failed[0] },
      )
    this.metrics.registered?.(importKey, operations.length)
    return Number(results[results.length - 1]?.[1] ?? 0)
  }

  /**
   * The relayed watermark (0 when Redis holds none: it never had one, or lost it) and, read at the
   * same instant, whether each of `keys` still has an operation waiting.
   */
  async relayedState(importKey: string, keys: readonly string[]): Promise<{ watermark: number; waiting: boolean[] }> {
    const k = this.keys(importKey)
    const transaction = this.redis.multi().get(k.relayed)
    if (keys.length > 0) transaction.zmscore(k.ops, ...keys)
    const [[, watermark], [, scores] = [null, []]] = (await transaction.exec()) as [
      [null, string | null],
      [null, (string | null)[]]?,
    ]
    return { watermark: Number(watermark ?? 0), waiting: scores.map((score) => score !== null) }
  }

  /** Quits the client only if the storage owns it: a caller's client may be shared. */
  /** Ends the connection it owns: politely when connected, at once when Redis is not answering. */
  async close(): Promise<void> {
    if (!this.closeClient) return
    if (this.redis.status === 'ready') await this.redis.quit()
    else this.redis.disconnect()
  }
}

function ageMs(oldestSeq: string | undefined): number | null {
  return oldestSeq ? Math.max(0, Date.now() - Number(oldestSeq) / 1000) : null
}
