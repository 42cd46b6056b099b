/**
 * A cursor over RowBinary bytes. A row can straddle two network chunks: a read past the end throws
 * `INCOMPLETE`, the caller rolls the half-read row back and retries once the next chunk is joined on.
 * Every multi-byte number in RowBinary is little-endian.
 */

/**
 * Thrown when the bytes end mid-row: control flow the decode loop always catches, never seen by a
 * user. One instance, made once, so a throw costs no stack capture.
 */
export const INCOMPLETE = new Error('incomplete RowBinary row')

export class ByteReader {
  buf: Buffer = Buffer.alloc(0)
  pos = 0

  /** Starts reading `buf` from its first byte. */
  reset(buf: Buffer): void {
    this.buf = buf
    this.pos = 0
  }

  get remaining(): number {
    return this.buf.length - this.pos
  }

  /** The position after `bytes` more bytes; throws `INCOMPLETE` when they are not all here yet. */
  take(bytes: number): number {
    const start = this.pos
    if (start + bytes > this.buf.length) throw INCOMPLETE
    this.pos = start + bytes
    return start
  }

  /** LEB128 unsigned (lengths of strings, arrays and maps): at most 10 bytes. */
  varUInt(): number {
    let result = 0
    let shift = 1
    for (let index = 0; index < 10; index++) {
      const byte = this.buf[this.take(1)] as number
      result += (byte & 0x7f) * shift
      if (byte < 0x80) return result
      shift *= 128
    }
    throw new Error('RowBinary: a length prefix runs over 10 bytes (the stream is not RowBinary)')
  }

  uInt8(): number {
    return this.buf[this.take(1)] as number
  }

  /** A signed or unsigned little-endian integer of 128 or 256 bits. */
  wideInt(bytes: 16 | 32, signed: boolean): bigint {
    const start = this.take(bytes)
    let value = 0n
    for (let index = bytes - 8; index >= 0; index -= 8) value = (value << 64n) | this.buf.readBigUInt64LE(start + index)
    return signed ? BigInt.asIntN(bytes * 8, value) : value
  }

  /** A length-prefixed string, as UTF-8 text. */
  string(): string {
    const length = this.varUInt()
    const start = this.take(length)
    return this.buf.toString('utf8', start, start + length)
  }
}
