import { describe, expect, it } from 'vitest'
import { CopyBinaryParser } from '../../../src/source/copy-binary.js'
import { SchemaMismatchError } from '../../../src/errors.js'

/** PostgreSQL's binary COPY bytes for rows of (int4, text-or-NULL). */
function copyBytes(rows: [number, string | null][]): Buffer {
  const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]
  for (const [n, text] of rows) {
    const head = Buffer.alloc(10)
    head.writeInt16BE(2, 0)
    head.writeInt32BE(4, 2)
    head.writeInt32BE(n, 6)
    parts.push(head)
    const length = Buffer.alloc(4)
    if (text === null) length.writeInt32BE(-1, 0)
    else length.writeInt32BE(Buffer.byteLength(text), 0)
    parts.push(length, text === null ? Buffer.alloc(0) : Buffer.from(text))
  }
  parts.push(Buffer.from([0xff, 0xff]))
  return Buffer.concat(parts)
}

function parse(bytes: Buffer, cut: number): [number, string | null][] {
  const out: [number, string | null][] = []
  const parser = new CopyBinaryParser(2, (data, offsets) => {
    const n = data.readInt32BE(offsets[0])
    const start = offsets[2] as number
    out.push([n, start < 0 ? null : data.toString('utf8', start, offsets[3])])
  })
  for (let at = 0; at < bytes.length; at += cut) parser.write(bytes.subarray(at, at + cut))
  parser.end()
  return out
}

describe('CopyBinaryParser', () => {
  const rows: [number, string | null][] = [
    [1, 'a\tb\n'],
    [2, null],
    [3, ''],
    [4, 'é🙂'.repeat(50)],
  ]

  it.each([1, 2, 3, 7, 19, 64, 100_000])('reads the same rows whatever the chunk size (%i bytes)', (cut) => {
    expect(parse(copyBytes(rows), cut)).toEqual(rows)
  })

  it('refuses a stream cut before the end marker', () => {
    const bytes = copyBytes(rows)
    expect(() => parse(bytes.subarray(0, bytes.length - 5), 1000)).toThrow(SchemaMismatchError)
  })

  it('refuses bytes that are not binary COPY', () => {
    expect(() => parse(Buffer.from('1\tabc\n'.repeat(10)), 1000)).toThrow(/not in PostgreSQL binary format/)
  })
})
