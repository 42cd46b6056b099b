import { ConfigError } from '../errors.js'
import type { ArrayField } from '../models/fields/array.js'
import type { Field, LowCardinalityField } from '../models/fields/common.js'
import type { FloatField } from '../models/fields/float.js'
import type { IntField } from '../models/fields/int.js'
import type { ByteReader } from './byte-reader.js'
import type { NumericArray, VectorColumn } from './read-types.js'
import { valueDecoder } from './value-decoders.js'

/**
 * Growable columns for `readModelColumns`. Each appends the next row's value straight from the
 * RowBinary bytes and can drop rows from the end, for a row cut off by the end of a network chunk.
 * Sized from the expected row count, so reading N rows allocates each column once.
 */
export interface ColumnBuilder {
  append(reader: ByteReader, row: number): void
  truncate(rows: number): void
  finish(rows: number): unknown
}

type NumericConstructor = { new (length: number): NumericArray; readonly BYTES_PER_ELEMENT: number }
type Read = (buf: Buffer, pos: number) => number | bigint

interface NumericLayout {
  ctor: NumericConstructor
  read: Read
}

/** The typed array and reader of a fixed-width numeric field, or undefined for any other field. */
export function numericLayout(field: Field): NumericLayout | undefined {
  if (field.kind === 'lowCardinality') return numericLayout((field as LowCardinalityField).inner)
  if (field.kind === 'bool') return { ctor: Uint8Array, read: (b, p) => b[p] as number }
  if (field.kind === 'float')
    return (field as FloatField).bits === 32
      ? { ctor: Float32Array, read: (b, p) => b.readFloatLE(p) }
      : { ctor: Float64Array, read: (b, p) => b.readDoubleLE(p) }
  if (field.kind !== 'int') return undefined
  const { bits, signed } = field as IntField
  switch (bits) {
    case 8:
      return signed
        ? { ctor: Int8Array, read: (b, p) => b.readInt8(p) }
        : { ctor: Uint8Array, read: (b, p) => b[p] as number }
    case 16:
      return signed
        ? { ctor: Int16Array, read: (b, p) => b.readInt16LE(p) }
        : { ctor: Uint16Array, read: (b, p) => b.readUInt16LE(p) }
    case 32:
      return signed
        ? { ctor: Int32Array, read: (b, p) => b.readInt32LE(p) }
        : { ctor: Uint32Array, read: (b, p) => b.readUInt32LE(p) }
    case 64:
      return signed
        ? { ctor: BigInt64Array, read: (b, p) => b.readBigInt64LE(p) }
        : { ctor: BigUint64Array, read: (b, p) => b.readBigUInt64LE(p) }
    default:
      return undefined
  }
}

/**
 * The caller's array to fill, checked to be of the column's typed-array type (`column` names it in
 * the error).
 */
function checkedInto(layout: NumericLayout, into: NumericArray, column: string, field: Field): NumericArray {
  if (into instanceof layout.ctor) return into
  throw new ConfigError(
    `read into: ${column} is ${field.toSQLType()}, which fills a ${layout.ctor.name}; into.${column} is a ${into.constructor.name} (pass a ${layout.ctor.name})`,
    { column },
  )
}

/** Capacity after growth: the expected count first, then by a quarter (a live table grew since the count). */
function grown(capacity: number, needed: number): number {
  return Math.max(needed, Math.ceil(capacity * 1.25), 1024)
}

function resized<T extends NumericArray>(array: T, length: number): T {
  const next = new (array.constructor as NumericConstructor)(length) as T
  next.set(array.subarray(0, Math.min(array.length, length)) as never)
  return next
}

class NumericBuilder implements ColumnBuilder {
  private values: NumericArray
  private readonly bytes: number

  constructor(
    private readonly layout: NumericLayout,
    expectedRows: number,
    into: NumericArray | undefined,
  ) {
    this.values = into ?? new layout.ctor(expectedRows)
    this.bytes = layout.ctor.BYTES_PER_ELEMENT
  }

  append(reader: ByteReader, row: number): void {
    if (row >= this.values.length) this.values = resized(this.values, grown(this.values.length, row + 1))
    ;(this.values as unknown as (number | bigint)[])[row] = this.layout.read(reader.buf, reader.take(this.bytes))
  }

  truncate(): void {
    // Row `rows` and later are overwritten by the next appends: nothing to undo.
  }

  finish(rows: number): NumericArray {
    return this.values.subarray(0, rows)
  }
}

/** `Array(<number>)`: the elements' bytes are copied as they are into one typed array. */
class VectorBuilder implements ColumnBuilder {
  private values: NumericArray
  private bytes: Uint8Array
  private offsets: Float64Array
  private elements = 0
  /** The length of the first row, and the first row with another length (Infinity while uniform). */
  private dimension: number | undefined
  private firstRagged = Infinity
  private readonly elementBytes: number

  constructor(
    private readonly layout: NumericLayout,
    private readonly expectedRows: number,
    declaredDimension: number | undefined,
    into: NumericArray | undefined,
  ) {
    this.elementBytes = layout.ctor.BYTES_PER_ELEMENT
    this.values = into ?? new layout.ctor(expectedRows * (declaredDimension ?? 0))
    this.bytes = new Uint8Array(this.values.buffer, this.values.byteOffset, this.values.byteLength)
    this.offsets = new Float64Array(expectedRows + 1)
  }

  append(reader: ByteReader, row: number): void {
    const length = reader.varUInt()
    const start = reader.take(length * this.elementBytes)
    if (row === 0) this.dimension = length
    else if (length !== this.dimension && row < this.firstRagged) this.firstRagged = row
    const end = this.elements + length
    if (end > this.values.length) {
      // Before any growth the expected row count sizes the array from the first row's length.
      const estimate = this.values.length === 0 ? length * Math.max(this.expectedRows, row + 1) : 0
      this.values = resized(this.values, Math.max(estimate, grown(this.values.length, end)))
      this.bytes = new Uint8Array(this.values.buffer, this.values.byteOffset, this.values.byteLength)
    }
    // A typed-array set of a view: a plain memcpy, faster than Buffer#copy for rows of a few KB.
    this.bytes.set(reader.buf.subarray(start, start + length * this.elementBytes), this.elements * this.elementBytes)
    this.elements = end
    if (row + 1 >= this.offsets.length) this.offsets = resized(this.offsets, grown(this.offsets.length, row + 2))
    this.offsets[row + 1] = end
  }

  truncate(rows: number): void {
    this.elements = this.offsets[rows] as number
    if (rows <= this.firstRagged) this.firstRagged = Infinity
  }

  finish(rows: number): VectorColumn {
    return {
      kind: 'vector',
      values: this.values.subarray(0, this.elements),
      offsets: this.offsets.subarray(0, rows + 1),
      dimension: rows === 0 || this.firstRagged < rows ? undefined : this.dimension,
    }
  }
}

class ValuesBuilder implements ColumnBuilder {
  private readonly values: unknown[] = []
  private readonly decode

  constructor(field: Field) {
    this.decode = valueDecoder(field)
  }

  append(reader: ByteReader, row: number): void {
    this.values[row] = this.decode(reader)
  }

  truncate(rows: number): void {
    this.values.length = rows
  }

  finish(rows: number): unknown[] {
    this.values.length = rows
    return this.values
  }
}

/**
 * The builder for a field: typed array, vector or plain values. `into`: the caller's typed array to
 * fill first (a numeric column's values, or a vector column's elements); a read that needs more
 * grows into a new array.
 */
export function columnBuilder(
  field: Field,
  expectedRows: number,
  into?: { column: string; array: NumericArray },
): ColumnBuilder {
  const numeric = numericLayout(field)
  if (numeric)
    return new NumericBuilder(numeric, expectedRows, into && checkedInto(numeric, into.array, into.column, field))
  if (field.kind === 'array') {
    const array = field as ArrayField
    const inner = numericLayout(array.inner)
    if (inner)
      return new VectorBuilder(
        inner,
        expectedRows,
        array.arrayOptions.dimension,
        into && checkedInto(inner, into.array, into.column, field),
      )
  }
  if (into)
    throw new ConfigError(
      `read into: ${into.column} is ${field.toSQLType()}, which reads as an array of values, not a typed array (leave it out of into)`,
      { column: into.column },
    )
  return new ValuesBuilder(field)
}
