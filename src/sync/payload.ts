import { createHash } from 'node:crypto'
import { printsWithExponent, withPlainNumbers } from '../clickhouse/plain-numbers.js'
import { jsonTextOf } from '../source/type-parsers.js'
import type { PayloadShape } from '../clickhouse/insert.js'
import type { Operation } from '../storages/storage.js'
import type { ClickHouseRow, SerializedModelBatch } from './runtime.js'

/**
 * The frozen insert payload of a batch: per model, JSONEachRow chunks cut at fixed limits. It is
 * serialized once, staged, and re-sent byte for byte on every retry, so each chunk's deduplication
 * token always names the same bytes.
 */

/** Most rows in one chunk: each chunk is one insert and one block (`max_insert_block_size` covers it). */
const CHUNK_MAX_ROWS = 100_000
/** Most bytes in one chunk: small enough for one block on any server, large enough to amortize a request. */
export const CHUNK_MAX_BYTES = 8 * 1024 * 1024

export interface ChunkInfo {
  rows: number
  bytes: number
  /** sha256 of the chunk's bytes (hex, 16 chars): part of the deduplication token. */
  hash: string
  /** The operation (index into the batch) behind each row: bisecting a rejected chunk parks these. */
  opIndex: number[]
}

export interface ModelPayload {
  model: string
  chunks: ChunkInfo[]
  /** How the chunks' lines are laid out. @default JSONEachRow (the JS serializer's) */
  shape?: PayloadShape
}

export interface PayloadManifest {
  models: ModelPayload[]
  /** Operations that cannot be serialized, parked at postSync. */
  parked: { operation: Operation; error: string }[]
}

export interface Chunk {
  bytes: Buffer
  info: ChunkInfo
}

/**
 * A row's JSONEachRow line: `JSON.stringify(row)`, except that arrays still as PostgreSQL printed them
 * (`jsonTextOf`) are written as that text — the same values, without printing every number again.
 * Numbers never carry an exponent (old servers misread them: src/clickhouse/plain-numbers.ts); only a
 * line with a number JavaScript prints that way, or a nested value of the serializer's, is rewritten.
 */
function line(row: ClickHouseRow): string {
  let raw = false
  let exponents = false
  for (const key in row) {
    const value = row[key]
    if (jsonTextOf(value) !== undefined) raw = true
    else if (typeof value === 'number') exponents ||= printsWithExponent(value)
    else if (typeof value === 'object' && value !== null) exponents = true
  }
  let text: string
  if (!raw) text = JSON.stringify(row)
  else {
    const parts: string[] = []
    for (const [key, value] of Object.entries(row)) {
      if (value === undefined) continue
      parts.push(`${JSON.stringify(key)}:${jsonTextOf(value) ?? JSON.stringify(value)}`)
    }
    text = `{${parts.join(',')}}`
  }
  return `${exponents ? withPlainNumbers(text) : text}\n`
}

export function hashChunk(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16)
}

/** JSONEachRow chunks of a model's rows, cut at `CHUNK_MAX_ROWS` / `CHUNK_MAX_BYTES`. */
export function cutChunks(
  batch: Pick<SerializedModelBatch, 'rows' | 'opIndex'>,
  limits: { rows: number; bytes: number } = { rows: CHUNK_MAX_ROWS, bytes: CHUNK_MAX_BYTES },
): Chunk[] {
  return [...eachChunk(batch, limits)]
}

/**
 * The chunks of `cutChunks` one at a time, so a caller can stage each and let it go before the next
 * is built: a batch's text is never all in memory at once. With `consume`, each row is dropped from
 * `batch.rows` once its line is written, so the rows and their text are not held beside the chunks.
 */
export function* eachChunk(
  batch: Pick<SerializedModelBatch, 'rows' | 'opIndex'>,
  limits: { rows: number; bytes: number } = { rows: CHUNK_MAX_ROWS, bytes: CHUNK_MAX_BYTES },
  consume = false,
): Generator<Chunk> {
  let lines: string[] = []
  let opIndex: number[] = []
  let bytes = 0
  const cut = (): Chunk => {
    const data = Buffer.from(lines.join(''), 'utf8')
    const chunk = { bytes: data, info: { rows: lines.length, bytes: data.length, hash: hashChunk(data), opIndex } }
    lines = []
    opIndex = []
    bytes = 0
    return chunk
  }
  for (let i = 0; i < batch.rows.length; i++) {
    const text = line(batch.rows[i] as ClickHouseRow)
    if (consume) (batch.rows as (ClickHouseRow | undefined)[])[i] = undefined
    const size = Buffer.byteLength(text)
    if (lines.length > 0 && (lines.length >= limits.rows || bytes + size > limits.bytes)) yield cut()
    lines.push(text)
    opIndex.push(batch.opIndex[i] ?? -1)
    bytes += size
  }
  if (lines.length > 0) yield cut()
}

/** The lines of a chunk, for bisecting it. */
export function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = []
  let start = 0
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
    out.push(bytes.subarray(start, i + 1))
    start = i + 1
  }
  if (start < bytes.length) out.push(bytes.subarray(start))
  return out
}

/** The deduplication token of a chunk: stable for the same batch, model, chunk and bytes. */
export function chunkToken(
  importKey: string,
  batchId: string,
  model: string,
  index: number | string,
  hash: string,
): string {
  return `${importKey}:${batchId}:${model}:${index}:${hash}`
}

/**
 * A frozen payload as the attempt that froze it holds it: the manifest and every chunk's bytes, so
 * insertBatch sends them without reading back what was just staged. The storage is read only on a
 * resume (another attempt froze it): `chunks` is then absent and each chunk is read as it is sent.
 */
export interface FrozenPayload {
  manifest: PayloadManifest
  /** Emptied by insertBatch as it sends them. */
  chunks?: Map<string, Buffer>
  /** Frozen by an earlier attempt: its progress may be staged too. */
  reused: boolean
}
