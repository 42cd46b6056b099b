import { ConfigError } from '../errors.js'
import type { ArrayField } from '../models/fields/array.js'
import type { Field, LowCardinalityField, NullableField } from '../models/fields/common.js'
import type { DateTime64Field } from '../models/fields/datetime.js'
import type { DecimalField } from '../models/fields/decimal.js'
import type { EnumField } from '../models/fields/enum.js'
import type { FloatField } from '../models/fields/float.js'
import type { IntField } from '../models/fields/int.js'
import type { IPField } from '../models/fields/ip.js'
import type { MapField } from '../models/fields/map.js'
import type { FixedStringField } from '../models/fields/string.js'
import { dayText } from '../models/fields/time.js'
import type { TupleField } from '../models/fields/tuple.js'
import type { ByteReader } from './byte-reader.js'
import { ipv6Text } from './ip-text.js'

/** Reads one value of a column from RowBinary and returns it as a row holds it (see `ReadValue`). */
export type ValueDecoder = (reader: ByteReader) => unknown

/** Decimal(P, S) is stored as the integer value × 10^S in 32, 64, 128 or 256 bits, chosen by P. */
function decimalBytes(precision: number): 4 | 8 | 16 | 32 {
  return precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32
}

/** `unscaled / 10^scale` as exact decimal text, e.g. -1250n, 2 → `-12.50`. */
export function decimalText(unscaled: bigint, scale: number): string {
  const sign = unscaled < 0n ? '-' : ''
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  return scale === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

function intDecoder(field: IntField): ValueDecoder {
  const { bits, signed } = field
  if (bits === 8) return signed ? (r) => r.buf.readInt8(r.take(1)) : (r) => r.buf[r.take(1)]
  if (bits === 16) return signed ? (r) => r.buf.readInt16LE(r.take(2)) : (r) => r.buf.readUInt16LE(r.take(2))
  if (bits === 32) return signed ? (r) => r.buf.readInt32LE(r.take(4)) : (r) => r.buf.readUInt32LE(r.take(4))
  if (bits === 64) return signed ? (r) => r.buf.readBigInt64LE(r.take(8)) : (r) => r.buf.readBigUInt64LE(r.take(8))
  const bytes = bits === 128 ? 16 : 32
  return (r) => r.wideInt(bytes, signed)
}

function decimalDecoder(field: DecimalField): ValueDecoder {
  const { scale } = field
  switch (decimalBytes(field.precision)) {
    case 4:
      return (r) => decimalText(BigInt(r.buf.readInt32LE(r.take(4))), scale)
    case 8:
      return (r) => decimalText(r.buf.readBigInt64LE(r.take(8)), scale)
    case 16:
      return (r) => decimalText(r.wideInt(16, true), scale)
    case 32:
      return (r) => decimalText(r.wideInt(32, true), scale)
  }
}

/** RowBinary UUID: the high and the low 64-bit halves, each little-endian. */
function uuidText(r: ByteReader): string {
  const start = r.take(16)
  const hex =
    Buffer.from(r.buf.subarray(start, start + 8))
      .reverse()
      .toString('hex') +
    Buffer.from(r.buf.subarray(start + 8, start + 16))
      .reverse()
      .toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** DateTime64(P): ticks of 10^-P s since the epoch, as exact ISO text in UTC (a JS Date keeps only ms). */
function dateTime64Decoder(field: DateTime64Field): ValueDecoder {
  const unit = 10n ** BigInt(field.precision)
  return (r) => {
    const ticks = r.buf.readBigInt64LE(r.take(8))
    let seconds = ticks / unit
    let fraction = ticks % unit
    if (fraction < 0n) {
      seconds -= 1n
      fraction += unit
    }
    const text = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
    return field.precision === 0 ? `${text}Z` : `${text}.${fraction.toString().padStart(field.precision, '0')}Z`
  }
}

function enumDecoder(field: EnumField): ValueDecoder {
  const names = new Map(Object.entries(field.values).map(([name, number]) => [number, name]))
  const read: ValueDecoder = field.bits === 8 ? (r) => r.buf.readInt8(r.take(1)) : (r) => r.buf.readInt16LE(r.take(2))
  return (r) => {
    const number = read(r) as number
    const name = names.get(number)
    if (name === undefined)
      throw new Error(`RowBinary: ${field.toSQLType()} value ${number} is not in the model (migrate the model)`)
    return name
  }
}

function arrayDecoder(field: ArrayField): ValueDecoder {
  const item = valueDecoder(field.inner)
  return (r) => {
    const length = r.varUInt()
    const items = new Array<unknown>(length)
    for (let index = 0; index < length; index++) items[index] = item(r)
    return items
  }
}

/** A Map as a plain object keyed by the key's text: what `map()` takes, and what JSON can carry. */
function mapDecoder(field: MapField): ValueDecoder {
  const key = valueDecoder(field.key)
  const value = valueDecoder(field.value)
  return (r) => {
    const length = r.varUInt()
    const out: Record<string, unknown> = {}
    for (let index = 0; index < length; index++) {
      const name = key(r)
      out[name instanceof Date ? name.toISOString() : String(name)] = value(r)
    }
    return out
  }
}

/**
 * The decoder of one column, built once per read from the model's field (its type, not the server's
 * answer: the query names the model's columns, so the layout is the model's).
 */
export function valueDecoder(field: Field): ValueDecoder {
  switch (field.kind) {
    case 'int':
      return intDecoder(field as IntField)
    case 'float':
      return (field as FloatField).bits === 32
        ? (r) => r.buf.readFloatLE(r.take(4))
        : (r) => r.buf.readDoubleLE(r.take(8))
    case 'decimal':
      return decimalDecoder(field as DecimalField)
    case 'bool':
      return (r) => r.buf[r.take(1)] !== 0
    case 'string':
      return (r) => r.string()
    case 'fixedString': {
      // ClickHouse pads shorter values with NUL bytes; the value a row was written with has none.
      const { length } = field as FixedStringField
      return (r) => {
        const start = r.take(length)
        let end = start + length
        while (end > start && r.buf[end - 1] === 0) end--
        return r.buf.toString('utf8', start, end)
      }
    }
    case 'uuid':
      return uuidText
    case 'date':
      return (field as Field & { type: string }).type === 'Date'
        ? (r) => dayText(r.buf.readUInt16LE(r.take(2)) * 86_400)
        : (r) => dayText(r.buf.readInt32LE(r.take(4)) * 86_400)
    case 'dateTime':
      return (r) => new Date(r.buf.readUInt32LE(r.take(4)) * 1000)
    case 'dateTime64':
      return dateTime64Decoder(field as DateTime64Field)
    case 'enum':
      return enumDecoder(field as EnumField)
    case 'ip':
      return (field as IPField).version === 4
        ? (r) => {
            // IPv4 is a UInt32: the first octet is its most significant byte.
            const n = r.buf.readUInt32LE(r.take(4))
            return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
          }
        : (r) => {
            const start = r.take(16)
            return ipv6Text(r.buf.subarray(start, start + 16))
          }
    case 'nullable': {
      const inner = valueDecoder((field as NullableField).inner)
      return (r) => (r.buf[r.take(1)] === 1 ? null : inner(r))
    }
    case 'lowCardinality':
      // RowBinary carries LowCardinality(T) as plain T.
      return valueDecoder((field as LowCardinalityField).inner)
    case 'array':
      return arrayDecoder(field as ArrayField)
    case 'map':
      return mapDecoder(field as MapField)
    case 'tuple': {
      const items = (field as TupleField).items.map(valueDecoder)
      return (r) => items.map((item) => item(r))
    }
    default:
      throw new ConfigError(`bulk read has no RowBinary decoder for ${field.toSQLType()}`)
  }
}
