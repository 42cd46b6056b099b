import { Field, parseBigInt, type ClickHouseValue } from './common.js'

export const INT_BITS = [8, 16, 32, 64, 128, 256] as const
export type IntBits = (typeof INT_BITS)[number]

/**
 * What a row may hold for an integer column: `number` up to 32 bits; 64 bits and wider also take
 * `bigint` and decimal strings, because `pg` returns int8/numeric as strings to keep their precision.
 */
export type IntData<TBits extends IntBits> = TBits extends 8 | 16 | 32 ? number : bigint | number | string

/** `Int8` … `Int256`, `UInt8` … `UInt256`. */
export class IntField<TBits extends IntBits = IntBits> extends Field<IntData<TBits>> {
  readonly kind = 'int'
  readonly min: bigint
  readonly max: bigint

  constructor(
    readonly bits: TBits,
    readonly signed: boolean,
  ) {
    super()
    this.min = signed ? -(1n << BigInt(bits - 1)) : 0n
    this.max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n
  }

  toSQLType(): string {
    return `${this.signed ? 'Int' : 'UInt'}${this.bits}`
  }

  families(): string[] {
    return [this.toSQLType()]
  }

  emptyValue(): ClickHouseValue {
    return this.bits > 32 ? '0' : 0
  }

  /** 64 bits and wider go out as decimal strings: a JS number would lose precision past 2^53. */
  protected convert(value: unknown): ClickHouseValue {
    const parsed = parseBigInt(value)
    if (parsed === null) {
      this.reject(value, typeof value === 'number' ? 'not an exact integer' : 'not an integer')
    }
    if (parsed < this.min || parsed > this.max) this.reject(value, `out of range ${this.min}..${this.max}`)
    return this.bits > 32 ? parsed.toString() : Number(parsed)
  }
}

/** `Int8`: -128..127. @example int8() */
export const int8 = () => new IntField(8, true)
/** `Int16`. */
export const int16 = () => new IntField(16, true)
/** `Int32`. */
export const int32 = () => new IntField(32, true)
/** `Int64`: values go out as strings (no precision loss). */
export const int64 = () => new IntField(64, true)
/** `Int128`: values go out as strings. */
export const int128 = () => new IntField(128, true)
/** `Int256`: values go out as strings. */
export const int256 = () => new IntField(256, true)
/** `UInt8`: 0..255. */
export const uInt8 = () => new IntField(8, false)
/** `UInt16`. */
export const uInt16 = () => new IntField(16, false)
/** `UInt32`. */
export const uInt32 = () => new IntField(32, false)
/** `UInt64`: values go out as strings (no precision loss). @example uInt64() */
export const uInt64 = () => new IntField(64, false)
/** `UInt128`: values go out as strings. */
export const uInt128 = () => new IntField(128, false)
/** `UInt256`: values go out as strings. */
export const uInt256 = () => new IntField(256, false)
