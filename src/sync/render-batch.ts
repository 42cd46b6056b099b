import { ChsyncError, ConfigError, SchemaMismatchError, messageOf } from '../errors.js'
import type { BatchQuery } from '../serializers/sql/batch-query.js'
import { CopyBinaryParser } from '../source/copy-binary.js'
import type { Claim, Operation } from '../storages/storage.js'
import type { FaultHook } from './fault-points.js'
import { CHUNK_MAX_BYTES, hashChunk, type ChunkInfo, type FrozenPayload, type PayloadManifest } from './payload.js'
import type { SyncUnitRuntime } from './runtime.js'
import { STAGED, stageValue } from './staging.js'
import type { FetchResult, SerializeResult } from './types.js'

/** A chunk being cut: its lines copied into one growing buffer, and the operation behind each line. */
interface OpenChunk {
  buffer: Buffer
  bytes: number
  rows: number
  opIndex: number[]
}

const INITIAL_CHUNK_BYTES = 1 << 20

function openChunk(): OpenChunk {
  return { buffer: Buffer.allocUnsafe(INITIAL_CHUNK_BYTES), bytes: 0, rows: 0, opIndex: [] }
}

/**
 * Fetch and serialize of a round whose model PostgreSQL renders (src/serializers/sql): one COPY
 * joins the claimed operations to the source table and returns each operation's TSV line, which is
 * cut into chunks as it arrives — Node moves bytes, no object per row. The payload is then frozen as
 * the JS path freezes it (each chunk staged, the manifest last), so insertBatch, bisection and parking
 * work unchanged: each chunk keeps the operation behind each line. Returns undefined when a claimed key
 * is not a key of the source table (the cast fails): the caller takes the JS path, which parks it.
 */
export async function renderBatch(
  unit: SyncUnitRuntime,
  claim: Claim,
  operations: readonly Operation[],
  query: BatchQuery,
  faults: FaultHook,
): Promise<(FetchResult & SerializeResult & { payload: FrozenPayload }) | undefined> {
  const model = unit.models[0]
  if (!model) throw new ConfigError(`${unit.importKey} has no model to render`, { importKey: unit.importKey })
  const limits = unit.chunkLimits ?? { rows: 100_000, bytes: CHUNK_MAX_BYTES }
  const done: { bytes: Buffer; info: ChunkInfo }[] = []
  let open = openChunk()
  let found = 0
  let upsertsMissing = 0
  let refused: Operation | undefined
  const cut = () => {
    const bytes = open.buffer.subarray(0, open.bytes)
    done.push({ bytes, info: { rows: open.rows, bytes: bytes.length, hash: hashChunk(bytes), opIndex: open.opIndex } })
    open = openChunk()
  }
  const parser = new CopyBinaryParser(3, (data, offsets) => {
    const index = data.readInt32BE(offsets[0]) - 1
    if (data[offsets[2] as number] === 1) found += 1
    else if (operations[index]?.kind !== 'delete') upsertsMissing += 1
    const start = offsets[4] as number
    if (start < 0) {
      // No line: a delete ignored, or one the engine cannot express.
      if (query.refusesDeletes) refused ??= operations[index]
      return
    }
    const end = offsets[5] as number
    const size = end - start
    if (open.rows > 0 && (open.rows >= limits.rows || open.bytes + size > limits.bytes)) cut()
    if (open.bytes + size > open.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(open.buffer.length * 2, open.bytes + size))
      open.buffer.copy(grown, 0, 0, open.bytes)
      open.buffer = grown
    }
    // Copied: the chunk outlives the buffer COPY delivered the line in.
    data.copy(open.buffer, open.bytes, start, end)
    open.bytes += size
    open.rows += 1
    open.opIndex.push(index)
  })
  try {
    const stream = await unit.copyOut(query.sql(operations))
    for await (const chunk of stream) parser.write(chunk as Buffer)
    parser.end()
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    // Class 22 (data exception): a claimed key that is no value of its column's type.
    if (/^22/.test(code)) return undefined
    if (/^42/.test(code))
      throw new SchemaMismatchError(
        `${unit.sourceDisplay}: rendering rows of ${unit.importKey} failed: ${messageOf(error)}`,
        { importKey: unit.importKey, batchId: claim.batchId },
        { cause: error },
      )
    if (error instanceof ChsyncError) throw error
    throw new ChsyncError(
      `${unit.sourceDisplay}: rendering rows of ${unit.importKey} failed: ${messageOf(error)}`,
      { importKey: unit.importKey, batchId: claim.batchId },
      { cause: error },
    )
  }
  if (refused)
    throw new ConfigError(
      `delete of key ${refused.key} for ${unit.importKey}: table ${model.name} cannot express a delete ` +
        "(use ReplacingMergeTree with isDeleted or a collapsing engine, or set deletes: 'ignore')",
      { model: unit.importKey, importKey: unit.importKey, table: model.name },
    )
  if (open.rows > 0) cut()
  faults('syncBatch:fetched')
  const chunks: ChunkInfo[] = []
  const bytes = new Map<string, Buffer>()
  for (const [index, chunk] of done.entries()) {
    const name = STAGED.chunk(model.name, index)
    await unit.storage.stage(claim, name, chunk.bytes)
    faults('syncBatch:chunkStaged')
    bytes.set(name, chunk.bytes)
    chunks.push(chunk.info)
  }
  const manifest: PayloadManifest = {
    models: [{ model: model.name, chunks, shape: { format: 'TabSeparated', columns: query.columns } }],
    parked: [],
  }
  await stageValue(unit.storage, claim, STAGED.manifest, manifest)
  return {
    fetched: found,
    missing: upsertsMissing,
    rows: chunks.reduce((sum, chunk) => sum + chunk.rows, 0),
    chunks: chunks.length,
    parked: 0,
    reused: false,
    payload: { manifest, chunks: bytes, reused: false },
  }
}
