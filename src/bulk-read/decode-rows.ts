import { ByteReader, INCOMPLETE } from './byte-reader.js'

/** Longest piece of a malformed tail quoted in an error: enough to show a server's exception text. */
const TAIL_QUOTE = 300
/** Bytes of the next chunk first joined to a row cut off by the end of the previous one. */
const FIRST_JOIN = 4096

/**
 * Decodes a RowBinary byte stream row by row. `row` reads one row and commits it when it returns;
 * when the bytes end inside a row, `rollback` undoes what that row wrote, and the row is decoded
 * again from a join of its start and the next chunk's first bytes — only as many as it needs, so
 * the rest of each chunk is decoded in place, never copied. Yields the rows completed per chunk, and
 * in the middle of a chunk whenever `full()` says the consumer's batch is full (chDB's answer is one
 * chunk: without it every row would be decoded before the first batch leaves).
 */
export async function* decodeRows(
  chunks: AsyncIterable<Buffer>,
  row: (reader: ByteReader) => void,
  rollback: () => void,
  full: () => boolean = () => false,
): AsyncGenerator<number> {
  const reader = new ByteReader()
  let pending: Buffer | undefined
  for await (const chunk of chunks) {
    let rows = 0
    let from = 0
    if (pending) {
      let take = Math.min(chunk.length, Math.max(FIRST_JOIN, pending.length))
      for (;;) {
        const joined = Buffer.concat([pending, chunk.subarray(0, take)])
        reader.reset(joined)
        try {
          row(reader)
        } catch (error) {
          if (error !== INCOMPLETE) throw error
          rollback()
          if (take < chunk.length) {
            take = Math.min(chunk.length, take * 2)
            continue
          }
          pending = joined
          break
        }
        rows++
        from = reader.pos - pending.length
        pending = undefined
        break
      }
      if (pending) {
        yield rows
        continue
      }
    }
    reader.reset(chunk)
    reader.pos = from
    let start = from
    try {
      while (reader.pos < chunk.length) {
        start = reader.pos
        row(reader)
        rows++
        if (full()) {
          yield rows
          rows = 0
        }
      }
    } catch (error) {
      if (error !== INCOMPLETE) throw error
      rollback()
      // A copy: a view would keep the whole chunk alive until the next one arrives.
      pending = Buffer.from(chunk.subarray(start))
    }
    yield rows
  }
  if (pending) {
    // A server that fails after it started answering appends its exception to the body.
    const tail = pending
      .subarray(0, TAIL_QUOTE)
      .toString('utf8')
      .replace(/[^\x20-\x7e]+/g, ' ')
      .trim()
    throw new Error(`the RowBinary result ends inside a row (${pending.length} bytes left): ${tail}`)
  }
}
