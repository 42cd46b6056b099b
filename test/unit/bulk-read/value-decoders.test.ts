import { describe, expect, it } from 'vitest'
import { ByteReader, INCOMPLETE } from '../../../src/bulk-read/byte-reader.js'
import { decimalText, valueDecoder } from '../../../src/bulk-read/value-decoders.js'
import {
  array,
  bool,
  date,
  date32,
  dateTime,
  dateTime64,
  decimal,
  enum8,
  enum16,
  fixedString,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  int128,
  int256,
  ipv4,
  ipv6,
  lowCardinality,
  map,
  nullable,
  string,
  tuple,
  uInt8,
  uInt16,
  uInt32,
  uInt64,
  uInt128,
  uInt256,
  uuid,
  type Field,
} from '../../../src/models/index.js'

/** RowBinary bytes, written the way ClickHouse writes them (little-endian, LEB128 lengths). */
const le = (bytes: number, value: bigint) => {
  const out = Buffer.alloc(bytes)
  let rest = BigInt.asUintN(bytes * 8, value)
  for (let index = 0; index < bytes; index++) {
    out[index] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out
}
const varUInt = (value: number) => {
  const out: number[] = []
  do {
    out.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0))
    value = Math.floor(value / 128)
  } while (value > 0)
  return Buffer.from(out)
}
const text = (value: string) => Buffer.concat([varUInt(Buffer.byteLength(value)), Buffer.from(value)])
const f32 = (value: number) => {
  const out = Buffer.alloc(4)
  out.writeFloatLE(value)
  return out
}
const f64 = (value: number) => {
  const out = Buffer.alloc(8)
  out.writeDoubleLE(value)
  return out
}
const days = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000
const ip6 = (hex: string) => Buffer.from(hex, 'hex')
const long = 'x'.repeat(200)

const cases: { name: string; field: Field; bytes: Buffer; value: unknown }[] = [
  { name: 'Int8', field: int8(), bytes: le(1, -128n), value: -128 },
  { name: 'UInt8', field: uInt8(), bytes: le(1, 255n), value: 255 },
  { name: 'Int16', field: int16(), bytes: le(2, -2n), value: -2 },
  { name: 'UInt16', field: uInt16(), bytes: le(2, 65535n), value: 65535 },
  { name: 'Int32', field: int32(), bytes: le(4, -2147483648n), value: -2147483648 },
  { name: 'UInt32', field: uInt32(), bytes: le(4, 4294967295n), value: 4294967295 },
  { name: 'Int64', field: int64(), bytes: le(8, -(2n ** 63n)), value: -(2n ** 63n) },
  { name: 'UInt64', field: uInt64(), bytes: le(8, 2n ** 64n - 1n), value: 2n ** 64n - 1n },
  { name: 'Int128', field: int128(), bytes: le(16, -1n), value: -1n },
  { name: 'UInt128', field: uInt128(), bytes: le(16, 2n ** 128n - 1n), value: 2n ** 128n - 1n },
  { name: 'Int256', field: int256(), bytes: le(32, -(2n ** 255n)), value: -(2n ** 255n) },
  { name: 'UInt256', field: uInt256(), bytes: le(32, 2n ** 200n + 1n), value: 2n ** 200n + 1n },
  { name: 'Float32', field: float32(), bytes: f32(-0.25), value: -0.25 },
  { name: 'Float64', field: float64(), bytes: f64(-1e300), value: -1e300 },
  { name: 'Float64 NaN', field: float64(), bytes: f64(NaN), value: NaN },
  { name: 'Decimal(9, 3) in 32 bits', field: decimal(9, 3), bytes: le(4, -1500n), value: '-1.500' },
  { name: 'Decimal(18, 2) in 64 bits', field: decimal(18, 2), bytes: le(8, 12345n), value: '123.45' },
  { name: 'Decimal(38, 10) in 128 bits', field: decimal(38, 10), bytes: le(16, -1n), value: '-0.0000000001' },
  {
    name: 'Decimal(76, 20) in 256 bits',
    field: decimal(76, 20),
    bytes: le(32, 10n ** 55n + 5n),
    value: `1${'0'.repeat(35)}.${'0'.repeat(19)}5`,
  },
  { name: 'Decimal(5, 0)', field: decimal(5, 0), bytes: le(4, 42n), value: '42' },
  { name: 'Bool', field: bool(), bytes: le(1, 1n), value: true },
  { name: 'String', field: string(), bytes: text('ünï'), value: 'ünï' },
  { name: 'String with a two-byte length', field: string(), bytes: text(long), value: long },
  { name: 'FixedString padded with NUL', field: fixedString(3), bytes: Buffer.from('DE\0'), value: 'DE' },
  {
    name: 'UUID (two little-endian halves)',
    field: uuid(),
    bytes: Buffer.from('3d4a0e7a1c5b1f6e5a4d3e2f7c0b8c9a', 'hex'),
    value: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5a',
  },
  { name: 'Date', field: date(), bytes: le(2, BigInt(days('2024-02-29'))), value: '2024-02-29' },
  { name: 'Date32 before 1970', field: date32(), bytes: le(4, BigInt(days('1900-01-01'))), value: '1900-01-01' },
  {
    name: 'DateTime',
    field: dateTime('Asia/Tokyo'),
    bytes: le(4, 1704164645n),
    value: new Date('2024-01-02T03:04:05Z'),
  },
  {
    name: 'DateTime64(6) before 1970',
    field: dateTime64(6, 'UTC'),
    bytes: le(8, -1n),
    value: '1969-12-31T23:59:59.999999Z',
  },
  { name: 'DateTime64(0)', field: dateTime64(0), bytes: le(8, 1704164645n), value: '2024-01-02T03:04:05Z' },
  { name: 'Enum8', field: enum8({ active: 1, banned: -2 }), bytes: le(1, -2n), value: 'banned' },
  { name: 'Enum16', field: enum16({ low: 1000, high: 2000 }), bytes: le(2, 2000n), value: 'high' },
  { name: 'IPv4', field: ipv4(), bytes: le(4, 0x0a000001n), value: '10.0.0.1' },
  { name: 'IPv6', field: ipv6(), bytes: ip6('20010db8000000000000000000000001'), value: '2001:db8::1' },
  { name: 'IPv6 IPv4-mapped', field: ipv6(), bytes: ip6('00000000000000000000ffff0a000001'), value: '::ffff:10.0.0.1' },
  { name: 'IPv6 all zero', field: ipv6(), bytes: Buffer.alloc(16), value: '::' },
  {
    name: 'IPv6 longest zero run shortened',
    field: ipv6(),
    bytes: ip6('fe800000000000010000000000000000ff'.slice(0, 32)),
    value: 'fe80:0:0:1::',
  },
  { name: 'Nullable NULL', field: nullable(string()), bytes: Buffer.from([1]), value: null },
  { name: 'Nullable value', field: nullable(uInt8()), bytes: Buffer.from([0, 7]), value: 7 },
  { name: 'LowCardinality (plain in RowBinary)', field: lowCardinality(string()), bytes: text('ab'), value: 'ab' },
  {
    name: 'Array of Float32',
    field: array(float32(), { dimension: 2 }),
    bytes: Buffer.concat([varUInt(2), f32(0.5), f32(-2)]),
    value: [0.5, -2],
  },
  {
    name: 'Array of Nullable(String)',
    field: array(nullable(string())),
    bytes: Buffer.concat([varUInt(2), Buffer.from([1, 0]), text('a')]),
    value: [null, 'a'],
  },
  {
    name: 'Map(String, UInt64)',
    field: map(string(), uInt64()),
    bytes: Buffer.concat([varUInt(2), text('a'), le(8, 1n), text('b'), le(8, 2n ** 64n - 1n)]),
    value: { a: 1n, b: 2n ** 64n - 1n },
  },
  {
    name: 'Tuple(Float64, String)',
    field: tuple(float64(), string()),
    bytes: Buffer.concat([f64(1.5), text('p')]),
    value: [1.5, 'p'],
  },
]

describe('valueDecoder', () => {
  it.each(cases)('decodes $name', ({ field, bytes, value }) => {
    const reader = new ByteReader()
    reader.reset(bytes)
    expect(valueDecoder(field)(reader)).toEqual(value)
    expect(reader.remaining).toBe(0)
  })

  it.each(cases)('throws INCOMPLETE for $name cut off one byte short', ({ field, bytes }) => {
    const reader = new ByteReader()
    reader.reset(bytes.subarray(0, bytes.length - 1))
    expect(() => valueDecoder(field)(reader)).toThrow(INCOMPLETE)
  })

  it('refuses an enum number the model does not declare, naming the type', () => {
    const reader = new ByteReader()
    reader.reset(le(1, 3n))
    expect(() => valueDecoder(enum8({ a: 1 }))(reader)).toThrow(/Enum8\('a' = 1\) value 3 is not in the model/)
  })
})

describe('decimalText', () => {
  it.each([
    { unscaled: 0n, scale: 2, text: '0.00' },
    { unscaled: -5n, scale: 3, text: '-0.005' },
    { unscaled: 123n, scale: 0, text: '123' },
  ])('prints $unscaled at scale $scale as $text', ({ unscaled, scale, text }) => {
    expect(decimalText(unscaled, scale)).toBe(text)
  })
})
