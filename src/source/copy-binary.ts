import { Transform, type TransformCallback } from 'node:stream'
import { SchemaMismatchError } from '../errors.js'

/**
 * A streaming reader of PostgreSQL's `COPY … TO STDOUT (FORMAT binary)` output. Binary COPY carries
 * each field as length + bytes, with no escaping: text that is already in another format's form (the
 * ClickHouse TSV lines of src/serializers/sql) arrives byte for byte. Rows are handed over as offsets
 * into the received buffer — no object per row. Input: the stream's chunks, cut anywhere.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')
const HEADER_BYTES = SIGNATURE.length + 8

/**
 * `offsets[2i]`, `offsets[2i+1]`: start and end of field i in `data`; both -1 for NULL. The arrays are
 * reused from row to row: copy what must outlive the call.
 */
export type CopyRowHandler = (data: Buffer, offsets: Int32Array) => void

export class CopyBinaryParser {
  private pending: Buffer | null = null
  private headerRead = false
  private ended = false
  private readonly offsets: Int32Array

  constructor(
    private readonly fieldCount: number,
    private readonly onRow: CopyRowHandler,
  ) {
    this.offsets = new Int32Array(fieldCount * 2)
  }

  write(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk
    let position = 0
    if (!this.headerRead) {
      if (data.length < HEADER_BYTES) {
        this.pending = data
        return
      }
      if (!data.subarray(0, SIGNATURE.length).equals(SIGNATURE))
        throw new SchemaMismatchError('COPY output is not in PostgreSQL binary format')
      const extension = data.readUInt32BE(SIGNATURE.length + 4)
      if (data.length < HEADER_BYTES + extension) {
        this.pending = data
        return
      }
      position = HEADER_BYTES + extension
      this.headerRead = true
    }
    while (!this.ended && data.length - position >= 2) {
      const count = data.readInt16BE(position)
      if (count === -1) {
        this.ended = true
        position += 2
        break
      }
      if (count !== this.fieldCount)
        throw new SchemaMismatchError(`COPY row has ${count} fields, expected ${this.fieldCount}`)
      let at = position + 2
      let complete = true
      for (let field = 0; field < count; field++) {
        if (data.length - at < 4) {
          complete = false
          break
        }
        const length = data.readInt32BE(at)
        at += 4
        if (length === -1) {
          this.offsets[2 * field] = -1
          this.offsets[2 * field + 1] = -1
          continue
        }
        if (data.length - at < length) {
          complete = false
          break
        }
        this.offsets[2 * field] = at
        this.offsets[2 * field + 1] = at + length
        at += length
      }
      if (!complete) break
      this.onRow(data, this.offsets)
      position = at
    }
    this.pending = position < data.length ? data.subarray(position) : null
  }

  /** Throws when the stream stopped before PostgreSQL's end-of-data marker. */
  end(): void {
    if (!this.ended || this.pending) throw new SchemaMismatchError('COPY output ended in the middle of a row')
  }
}

/**
 * A Transform from binary COPY output of one text column to that column's bytes, concatenated: for a
 * query whose one column is a whole TSV line, the stream is the TSV payload, ready to send.
 */
export function copyBinaryTextColumn(): Transform {
  let parts: Buffer[] = []
  const parser = new CopyBinaryParser(1, (data, offsets) => {
    const start = offsets[0] as number
    if (start < 0) throw new SchemaMismatchError('COPY line is NULL: a rendered column was NULL')
    parts.push(data.subarray(start, offsets[1]))
  })
  const flushParts = (stream: Transform) => {
    if (parts.length > 0) stream.push(parts.length === 1 ? parts[0] : Buffer.concat(parts))
    parts = []
  }
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        parser.write(chunk)
        flushParts(this)
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
    flush(this: Transform, callback: TransformCallback) {
      try {
        parser.end()
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
  })
}
