import { forgetJsonTexts, parseNumberArray } from '../../../src/source/type-parsers.js'
import { describe, expect, it } from 'vitest'
import { chunkToken, cutChunks, hashChunk, splitLines } from '../../../src/sync/payload.js'

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i), name: `row ${i}` }))

describe('cutChunks', () => {
  it('cuts at the row limit and keeps each row with its operation', () => {
    const chunks = cutChunks({ rows: rows(5), opIndex: [0, 1, 2, 3, 4] }, { rows: 2, bytes: 1 << 20 })
    expect(chunks.map((c) => c.info.rows)).toEqual([2, 2, 1])
    expect(chunks.map((c) => c.info.opIndex)).toEqual([[0, 1], [2, 3], [4]])
    expect(chunks[2]?.bytes.toString()).toBe('{"id":"4","name":"row 4"}\n')
  })

  it('cuts at the byte limit but never leaves a row out of every chunk', () => {
    const chunks = cutChunks({ rows: rows(3), opIndex: [0, 1, 2] }, { rows: 100, bytes: 10 })
    expect(chunks).toHaveLength(3)
    expect(chunks.every((c) => c.info.bytes === c.bytes.length)).toBe(true)
  })

  it('is deterministic: the same rows give the same bytes and hashes', () => {
    const a = cutChunks({ rows: rows(50), opIndex: [...Array(50).keys()] })
    const b = cutChunks({ rows: rows(50), opIndex: [...Array(50).keys()] })
    expect(a.map((c) => c.info.hash)).toEqual(b.map((c) => c.info.hash))
    expect(Buffer.concat(a.map((c) => c.bytes)).equals(Buffer.concat(b.map((c) => c.bytes)))).toBe(true)
  })

  it('makes no chunk of no rows', () => {
    expect(cutChunks({ rows: [], opIndex: [] })).toEqual([])
  })
})

describe('splitLines', () => {
  it('splits JSONEachRow bytes into lines that concatenate back to the input', () => {
    const bytes = Buffer.from('{"a":1}\n{"a":"x\\ny"}\n{"a":3}\n')
    const lines = splitLines(bytes)
    expect(lines.map(String)).toEqual(['{"a":1}\n', '{"a":"x\\ny"}\n', '{"a":3}\n'])
    expect(Buffer.concat(lines).equals(bytes)).toBe(true)
  })
})

describe('chunkToken', () => {
  it('names import key, batch, model, chunk and content', () => {
    const hash = hashChunk(Buffer.from('x'))
    expect(hash).toMatch(/^[0-9a-f]{16}$/)
    expect(chunkToken('users', '42', 'users_ch', 3, hash)).toBe(`users:42:users_ch:3:${hash}`)
  })
})

describe('cutChunks with arrays parsed from PostgreSQL', () => {
  const parse = (text: string) => parseNumberArray(text, () => null) as number[]

  it('writes a parsed array as the text it came from, exponents as plain decimals, the same JSON as printing it', () => {
    const embedding = parse('{0.1,-2.5e-05,3}')
    const [chunk] = cutChunks({ rows: [{ id: 1, embedding }], opIndex: [0] })
    expect(chunk?.bytes.toString()).toBe('{"id":1,"embedding":[0.1,-0.000025,3]}\n')
    expect(JSON.parse(chunk?.bytes.toString() ?? '')).toEqual(JSON.parse(JSON.stringify({ id: 1, embedding })))
  })

  it('writes numbers JavaScript prints with an exponent as plain decimals, strings untouched', () => {
    const [chunk] = cutChunks({ rows: [{ tiny: 1e-7, huge: 2e21, label: '1e-7', list: [5e-8] }], opIndex: [0] })
    expect(chunk?.bytes.toString()).toBe(
      '{"tiny":0.0000001,"huge":2000000000000000000000,"label":"1e-7","list":[0.00000005]}\n',
    )
  })

  it('prints an array again once serializer code may have changed it', () => {
    const embedding = parse('{1,2}')
    forgetJsonTexts({ embedding })
    embedding[0] = 5
    const [chunk] = cutChunks({ rows: [{ embedding }], opIndex: [0] })
    expect(chunk?.bytes.toString()).toBe('{"embedding":[5,2]}\n')
  })
})
