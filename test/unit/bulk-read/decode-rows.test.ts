import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { ByteReader } from '../../../src/bulk-read/byte-reader.js'
import { columnBuilder } from '../../../src/bulk-read/column-builders.js'
import { decodeRows } from '../../../src/bulk-read/decode-rows.js'
import { valueDecoder } from '../../../src/bulk-read/value-decoders.js'
import { array, float32, nullable, string, uInt32 } from '../../../src/models/index.js'

/** RowBinary rows `(id UInt32, embedding Array(Float32), note Nullable(String))`. */
function encode(rows: { id: number; embedding: number[]; note: string | null }[]): Buffer {
  return Buffer.concat(
    rows.flatMap((row) => {
      const id = Buffer.alloc(4)
      id.writeUInt32LE(row.id)
      const floats = Buffer.alloc(4 * row.embedding.length)
      row.embedding.forEach((value, index) => floats.writeFloatLE(value, index * 4))
      const note =
        row.note === null ? Buffer.from([1]) : Buffer.concat([Buffer.from([0, row.note.length]), Buffer.from(row.note)])
      return [id, Buffer.from([row.embedding.length]), floats, note]
    }),
  )
}

/** The bytes as a stream of `size`-byte chunks, as a socket would deliver them. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = []
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size))
  return Readable.from(chunks)
}

const rows = Array.from({ length: 7 }, (_, index) => ({
  id: index + 1,
  embedding: [index, -index, 0.5],
  note: index % 3 === 0 ? null : `n${index}`,
}))
const bytes = encode(rows)

async function readColumns(chunks: Readable, expectedRows: number) {
  const builders = [
    columnBuilder(uInt32(), expectedRows),
    columnBuilder(array(float32()), expectedRows),
    columnBuilder(nullable(string()), expectedRows),
  ]
  let count = 0
  const row = (reader: ByteReader) => {
    for (const builder of builders) builder.append(reader, count)
    count++
  }
  for await (const _ of decodeRows(chunks, row, () => builders.forEach((builder) => builder.truncate(count)))) {
    // decoded as chunks arrive
  }
  return builders.map((builder) => builder.finish(count))
}

describe('decodeRows', () => {
  it.each([1, 2, 3, 5, 13, 64, bytes.length])(
    'decodes the same rows whatever the chunk size (%i bytes)',
    async (size) => {
      const seen: unknown[] = []
      const decoders = [valueDecoder(uInt32()), valueDecoder(array(float32())), valueDecoder(nullable(string()))]
      const row = (reader: ByteReader) => {
        const [id, embedding, note] = decoders.map((decode) => decode(reader))
        seen.push({ id, embedding, note })
      }
      for await (const _ of decodeRows(chunked(bytes, size), row, () => undefined)) {
        // rows are collected by `row`
      }
      expect(seen).toEqual(rows)
    },
  )

  it.each([1, 7, 29])(
    'fills typed columns across chunk cuts (%i-byte chunks), growing past the expected count',
    async (size) => {
      const [ids, embedding, notes] = await readColumns(chunked(bytes, size), 2)
      expect(ids).toEqual(new Uint32Array(rows.map((row) => row.id)))
      expect(embedding).toEqual({
        kind: 'vector',
        values: new Float32Array(rows.flatMap((row) => row.embedding)),
        offsets: new Float64Array(rows.map((_, index) => index * 3).concat(rows.length * 3)),
        dimension: 3,
      })
      expect(notes).toEqual(rows.map((row) => row.note))
    },
  )

  it('pauses inside one large chunk whenever the batch is full', async () => {
    let batch = 0
    const sizes: number[] = []
    const decode = valueDecoder(uInt32())
    const row = (reader: ByteReader) => {
      decode(reader)
      valueDecoder(array(float32()))(reader)
      valueDecoder(nullable(string()))(reader)
      batch++
    }
    for await (const rows of decodeRows(
      chunked(bytes, bytes.length),
      row,
      () => undefined,
      () => batch >= 3,
    )) {
      sizes.push(rows)
      batch = 0
    }
    expect(sizes).toEqual([3, 3, 1])
  })

  it('reports ragged vectors through offsets, without a dimension', async () => {
    const [, embedding] = await readColumns(
      chunked(
        encode([
          { id: 1, embedding: [1], note: null },
          { id: 2, embedding: [2, 3], note: null },
        ]),
        3,
      ),
      2,
    )
    expect(embedding).toMatchObject({
      values: new Float32Array([1, 2, 3]),
      offsets: new Float64Array([0, 1, 3]),
      dimension: undefined,
    })
  })

  it('fails on a stream that ends inside a row, quoting what it ends with', async () => {
    const truncated = Buffer.concat([bytes, Buffer.from('Code: 241. DB::Exception: Memory limit exceeded')])
    await expect(readColumns(chunked(truncated, 16), 7)).rejects.toThrow(/ends inside a row .*Memory limit exceeded/)
  })
})
