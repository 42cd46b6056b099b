import { PoisonRowError, StorageError, messageOf } from '../errors.js'
import type { Claim, DeadLetter, Operation, Storage } from '../storages/storage.js'
import { chunkToken, eachChunk, type ChunkInfo, type FrozenPayload, type PayloadManifest } from './payload.js'
import { renderBatch } from './render-batch.js'
import { insertChunkBisecting } from './insert.js'
import type { ClickHouseRow, SourceRow, SyncRuntime, SyncUnitRuntime } from './runtime.js'
import { noFaults, type FaultHook } from './fault-points.js'
import { STAGED, readStagedValue, requireStagedValue, stageValue } from './staging.js'
import type { BacklogMark, FetchResult, InsertResult, PostSyncResult, PreSyncResult, SerializeResult } from './types.js'

/**
 * The steps of a sync round, each safe to re-run after a crash at any line (invariant 5). The
 * activities in activities/sync.ts are thin wrappers; these functions do the work. `faults` marks
 * the lines the reliability suite kills the worker at (src/sync/fault-points.ts; a no-op in production).
 */

/** Reports progress so a retried step can resume (activities heartbeat it). */
export type Progress = (details: unknown) => void

export async function preSync(
  runtime: SyncRuntime,
  importKey: string,
  owner: string,
  faults: FaultHook = noFaults,
): Promise<PreSyncResult> {
  const unit = runtime.unit(importKey)
  const claim = await unit.storage.preSync(importKey, { batchSize: unit.batchSize, lockTtlMs: unit.lockTtlMs, owner })
  if (claim) faults('preSync:claimed')
  // The claim carries the backlog it saw; none means nothing was waiting to claim.
  return { claim, backlog: claim?.backlog ?? 0, batchSize: unit.batchSize, syncDelayMs: unit.syncDelayMs }
}

/** What a round reads for its batch: the operations, their source rows, and ClickHouse's state where needed. */
interface FetchedBatch {
  operations: Operation[]
  rows: Map<string, SourceRow>
  /** Keys that are not keys of the source table, with the reason: their operations are parked. */
  badKeys: Map<string, string>
  /** Per model name, the rows ClickHouse holds for the batch's keys (models that need them only). */
  state: Map<string, Map<string, ClickHouseRow>>
}

/**
 * Fetch and serialize in one step, rows kept in memory (the payload alone is staged, once). Safe to
 * re-run: once the payload is frozen it is reused byte for byte; before that, nothing was staged and
 * the batch is read again. Only a `resuming` call looks for a frozen payload: the first attempt on a
 * freshly claimed batch knows there is none (a crashed round's batch comes back `resumed`, a crashed
 * attempt is retried as a later attempt). Staging is fenced, so a lock lost meanwhile fails there.
 */
export async function fetchAndSerialize(
  runtime: SyncRuntime,
  claim: Claim,
  faults: FaultHook = noFaults,
  resuming = true,
): Promise<FetchResult & SerializeResult & { payload: FrozenPayload }> {
  const unit = runtime.unit(claim.importKey)
  const frozen = resuming ? await readStagedValue<PayloadManifest>(unit.storage, claim, STAGED.manifest) : null
  if (frozen) {
    return { fetched: 0, missing: 0, ...summarizeManifest(frozen, true), payload: { manifest: frozen, reused: true } }
  }
  const operations = await unit.storage.getOperations(claim)
  const path = await unit.renderPath()
  if (path.path === 'sql') {
    // PostgreSQL renders the rows; a batch with a key that is not a key of the table takes the JS path,
    // which sets such keys aside.
    const rendered = await renderBatch(unit, claim, operations, path.query, faults)
    if (rendered) return rendered
  }
  // Deletes too: a delete registered after a re-insert of its key must not hide the row (serializeBatch).
  const wanted = operations.map((op) => op.key)
  const { rows, badKeys } = await unit.fetchRows(wanted)
  const state = new Map<string, Map<string, ClickHouseRow>>()
  for (const model of unit.models.filter((m) => m.needsCurrentState))
    state.set(model.name, await model.readCurrentState(goodKeys(operations, badKeys)))
  faults('syncBatch:fetched')
  const missing = operations.filter((op) => op.kind !== 'delete' && !rows.has(op.key) && !badKeys.has(op.key)).length
  const fetched = { fetched: rows.size, missing }
  return { ...fetched, ...(await freezePayload(unit, claim, { operations, rows, badKeys, state }, faults)) }
}

/**
 * Serializes a fetched batch and freezes it: each chunk is staged as soon as it is cut (one chunk's
 * text in memory at a time, not the whole batch twice), then the manifest, last — once it exists
 * every chunk does, and the payload is frozen.
 */
async function freezePayload(
  unit: SyncUnitRuntime,
  claim: Claim,
  batch: FetchedBatch,
  faults: FaultHook,
): Promise<SerializeResult & { payload: FrozenPayload }> {
  const { operations, badKeys } = batch
  // A bad key's operation is parked unserialized (no query or tombstone can use the key); the rest
  // are serialized, and every index is mapped back to the claimed list insertBatch reads.
  const positions = operations.flatMap((op, index) => (badKeys.has(op.key) ? [] : [index]))
  const serialized = unit.serialize(
    positions.map((index) => operations[index] as Operation),
    batch.rows,
    batch.state,
  )
  for (const model of serialized.models) model.opIndex = model.opIndex.map((index) => positions[index] ?? -1)
  // From here the serialized rows are all that is needed, and they go as their chunks are cut: a
  // batch of embeddings is 30-70 MB of arrays and text, not to be held beside its payload.
  batch.rows.clear()
  batch.state.clear()
  const manifest: PayloadManifest = {
    models: [],
    parked: [
      ...operations
        .filter((op) => badKeys.has(op.key))
        .map((operation) => ({ operation, error: `bad key: ${badKeys.get(operation.key) as string}` })),
      ...serialized.poison.map(({ index, error }) => ({
        operation: operationAt(operations, positions[index] ?? -1),
        error: messageOf(error),
      })),
    ],
  }
  const bytes = new Map<string, Buffer>()
  for (const model of serialized.models) {
    const chunks: ChunkInfo[] = []
    for (const chunk of eachChunk(model, unit.chunkLimits, true)) {
      const name = STAGED.chunk(model.model, chunks.length)
      await unit.storage.stage(claim, name, chunk.bytes)
      faults('syncBatch:chunkStaged')
      bytes.set(name, chunk.bytes)
      chunks.push(chunk.info)
    }
    manifest.models.push({ model: model.model, chunks })
  }
  await stageValue(unit.storage, claim, STAGED.manifest, manifest)
  return { ...summarizeManifest(manifest, false), payload: { manifest, chunks: bytes, reused: false } }
}

function summarizeManifest(manifest: PayloadManifest, reused: boolean): SerializeResult {
  const chunks = manifest.models.flatMap((model) => model.chunks)
  return {
    rows: chunks.reduce((sum, chunk) => sum + chunk.rows, 0),
    chunks: chunks.length,
    parked: manifest.parked.length,
    reused,
  }
}

/** Progress of insertBatch, heartbeated: the chunk inserts already done (`model/alias/index`). */
export interface InsertProgress {
  done: string[]
  rejected: { operation: Operation; error: string }[]
}

/**
 * Safe to re-run: every chunk carries its deduplication token, and chunks a previous attempt
 * recorded as done are skipped. Heartbeats record progress, but the SDK throttles them (a crash
 * can lose the last several chunks' worth), which tokens make harmless. For a server without
 * tokens, progress is also staged in the storage after each chunk, so a crash re-sends at most the
 * one chunk whose insert had returned but was not yet recorded; and each `attempt` announces itself
 * there, so an older attempt still running (a worker frozen past its heartbeat timeout, then woken)
 * stops before its next chunk instead of sending chunks the newer one sends too (README, Sync).
 * `frozen` is the payload as fetchAndSerialize froze it in this attempt; without it (a caller that
 * froze it elsewhere), the payload is read from the storage.
 */
export async function insertBatch(
  runtime: SyncRuntime,
  claim: Claim,
  resumeFrom: InsertProgress | undefined,
  progress: Progress,
  attempt = 1,
  faults: FaultHook = noFaults,
  frozen?: FrozenPayload,
): Promise<InsertResult> {
  const unit = runtime.unit(claim.importKey)
  const manifest = frozen?.manifest ?? (await requireStagedValue<PayloadManifest>(unit.storage, claim, STAGED.manifest))
  // Frozen by an earlier attempt (or read from the storage): its chunks may have landed past the
  // table's deduplication window, so tables where a replay changes the result check them first.
  const payloadReused = frozen?.reused ?? true
  // Only a rejected line needs the operations (to park its row): a batch's list is 10,000 entries to
  // read and decode, and most batches have no rejected line.
  let operations: Operation[] | undefined
  const untokened = unit.models.some((model) => model.targets.some((t) => !t.capabilities.insertDeduplicationToken))
  // Progress is staged only for servers without tokens, and only an earlier attempt can have staged it.
  const staged =
    untokened && frozen?.reused !== false
      ? await readStagedValue<InsertProgress>(unit.storage, claim, STAGED.insertProgress)
      : null
  const state = mergeProgress(resumeFrom, staged)
  if (untokened) await stageValue(unit.storage, claim, STAGED.insertAttempt, attempt)
  const result: InsertResult = { rows: 0, inserts: 0, parked: 0 }
  for (const { model: modelName, chunks, shape } of manifest.models) {
    const model = unit.models.find((m) => m.name === modelName)
    if (!model) continue
    for (const [index, info] of chunks.entries()) {
      const name = STAGED.chunk(modelName, index)
      const bytes = frozen?.chunks?.get(name) ?? (await unit.storage.readStaged(claim, name))
      if (!bytes)
        throw new StorageError(`staged chunk ${modelName}/${index} of ${claim.importKey}/${claim.batchId} is missing`, {
          importKey: claim.importKey,
          batchId: claim.batchId,
        })
      const token = chunkToken(claim.importKey, claim.batchId, modelName, index, info.hash)
      for (const target of model.targets) {
        const step = `${modelName}/${target.alias}/${index}`
        // Without tokens, a re-sent chunk lands twice: fence older attempts out, stage each chunk's progress.
        const untokenedTarget = !target.capabilities.insertDeduplicationToken
        if (!state.done.includes(step)) {
          await unit.storage.extendLock(claim, unit.lockTtlMs)
          if (untokenedTarget) await assertLatestAttempt(unit.storage, claim, attempt)
          const rejected = await insertChunkBisecting(
            target,
            bytes,
            token,
            info.rows,
            { importKey: claim.importKey, batchId: claim.batchId, model: modelName },
            { attempt, shape, ...(payloadReused && model.replayIdentity ? { recheck: model.replayIdentity } : {}) },
          )
          const last = index === chunks.length - 1
          if (last) faults('syncBatch:lastChunkInserted')
          for (const line of rejected) {
            operations ??= await unit.storage.getOperations(claim)
            const operation = operationAt(operations, info.opIndex[line.line] ?? -1)
            state.rejected.push({ operation, error: `${modelName}@${target.alias}: ${line.error}` })
          }
          state.done.push(step)
          progress(state)
          if (untokenedTarget) await stageValue(unit.storage, claim, STAGED.insertProgress, state)
          if (!last) faults('syncBatch:chunkInserted')
        }
        result.rows += info.rows
        result.inserts += 1
      }
      // Sent to every target: let its bytes go, so the payload shrinks as it is sent.
      frozen?.chunks?.delete(name)
    }
  }
  result.parked = new Set(state.rejected.map((r) => r.operation.seq)).size
  // What postSync parks, in one value it reads: the operations that could not be serialized and the
  // rows ClickHouse rejected. Staged only when there are any: most batches have none.
  const deadLetters = [...manifest.parked, ...state.rejected]
  if (deadLetters.length > 0) await stageValue(unit.storage, claim, STAGED.deadLetters, deadLetters)
  return result
}

/** Throws when a newer attempt of insertBatch took the batch over (servers without tokens). */
async function assertLatestAttempt(storage: Storage, claim: Claim, attempt: number): Promise<void> {
  const latest = await readStagedValue<number>(storage, claim, STAGED.insertAttempt)
  if (latest !== null && latest !== attempt) {
    throw new StorageError(
      `insertBatch attempt ${attempt} for ${claim.importKey}/${claim.batchId} stops: attempt ${latest} took the batch over`,
      { importKey: claim.importKey, batchId: claim.batchId },
    )
  }
}

/** The union of the progress heartbeated and the progress staged (either may be the fresher). */
function mergeProgress(...sources: (InsertProgress | null | undefined)[]): InsertProgress {
  const done = new Set<string>()
  const rejected = new Map<string, InsertProgress['rejected'][number]>()
  for (const source of sources) {
    for (const step of source?.done ?? []) done.add(step)
    for (const entry of source?.rejected ?? []) rejected.set(`${entry.operation.seq}|${entry.error}`, entry)
  }
  return { done: [...done], rejected: [...rejected.values()] }
}

/** Safe to re-run: the storage's postSync is idempotent and fenced by the lock token. */
export async function postSync(
  runtime: SyncRuntime,
  claim: Claim,
  faults: FaultHook = noFaults,
): Promise<PostSyncResult> {
  const unit = runtime.unit(claim.importKey)
  const parked = (await readStagedValue<InsertProgress['rejected']>(unit.storage, claim, STAGED.deadLetters)) ?? []
  const at = new Date().toISOString()
  const deadLetters: DeadLetter[] = parked.map((entry) => ({ ...entry, at }))
  faults('postSync:beforeCommit')
  const { removed, backlog, oldestSeq } = await unit.storage.postSync(claim, { deadLetters })
  return { removed, parked: deadLetters.length, backlog, oldestSeq }
}

export async function postSyncFailed(runtime: SyncRuntime, claim: Claim, error: string): Promise<void> {
  await runtime.unit(claim.importKey).storage.postSyncFailed(claim, new Error(error))
}

export async function backlogMark(runtime: SyncRuntime, importKey: string): Promise<BacklogMark> {
  const range = await runtime.unit(importKey).storage.backlogRange(importKey)
  return { backlog: range.count, newestSeq: range.newestSeq }
}

/** The batch's keys without the bad ones (a ClickHouse lookup of `'abc'` in a UInt64 key fails too). */
function goodKeys(operations: readonly Operation[], badKeys: ReadonlyMap<string, string>): string[] {
  return operations.filter((op) => !badKeys.has(op.key)).map((op) => op.key)
}

function operationAt(operations: readonly Operation[], index: number): Operation {
  const operation = operations[index]
  if (!operation) throw new PoisonRowError(`row refers to operation #${index}, which the batch does not have`)
  return operation
}
