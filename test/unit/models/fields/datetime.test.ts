import { describe, expect, it } from 'vitest'
import { ConfigError, PoisonRowError } from '../../../../src/errors.js'
import { dateTime, dateTime64 } from '../../../../src/models/fields/index.js'

describe('DateTimeField', () => {
  it.each([
    { name: 'a Date', value: new Date('2023-11-14T22:13:20.999Z'), out: 1_700_000_000 },
    { name: 'pg timestamptz text with offset', value: '2023-11-15 07:13:20+09', out: 1_700_000_000 },
    { name: 'ISO text', value: '2023-11-14T22:13:20Z', out: 1_700_000_000 },
    { name: 'a Unix timestamp', value: 1_700_000_000, out: 1_700_000_000 },
  ])('converts $name', ({ value, out }) => {
    expect(dateTime('UTC').toClickHouse(value)).toBe(out)
  })

  it.each([
    { name: 'before 1970', value: '1969-12-31 23:59:59Z', why: /outside 1970-01-01..2106-02-07/ },
    { name: 'a bad hour', value: '2023-01-01 25:00:00', why: /not a date and time/ },
    { name: 'a fractional timestamp', value: 1.5, why: /not a date and time/ },
  ])('rejects $name', ({ value, why }) => {
    expect(() => dateTime().toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => dateTime().toClickHouse(value)).toThrow(why)
  })

  it('quotes its time zone', () => {
    expect(dateTime('Europe/Berlin').toSQLType()).toBe("DateTime('Europe/Berlin')")
    expect(dateTime().toSQLType()).toBe('DateTime')
  })
})

describe('DateTime64Field', () => {
  it.each([
    {
      name: 'a Date at millisecond precision',
      field: dateTime64(3),
      value: new Date(1_700_000_000_123),
      out: '1700000000.123',
    },
    {
      name: 'microseconds from pg text',
      field: dateTime64(6, 'UTC'),
      value: '2023-11-14 22:13:20.123456+00',
      out: '1700000000.123456',
    },
    {
      name: 'extra digits truncated',
      field: dateTime64(3),
      value: '2023-11-14 22:13:20.123999Z',
      out: '1700000000.123',
    },
    { name: 'precision 0', field: dateTime64(0), value: '2023-11-14 22:13:20Z', out: '1700000000' },
    {
      name: 'before 1970 as text',
      field: dateTime64(3, 'UTC'),
      value: '1950-01-01 00:00:00.5Z',
      out: '1950-01-01 00:00:00.500',
    },
    // ClickHouse reads "0.000" or "86400.500" as a date and fails: short timestamps go out as text.
    { name: 'the epoch as text', field: dateTime64(3, 'UTC'), value: new Date(0), out: '1970-01-01 00:00:00.000' },
    {
      name: 'a day after the epoch as text',
      field: dateTime64(3, 'UTC'),
      value: new Date(86_400_500),
      out: '1970-01-02 00:00:00.500',
    },
    { name: 'the epoch at precision 0', field: dateTime64(0, 'UTC'), value: new Date(0), out: '1970-01-01 00:00:00' },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toBe(out)
  })

  it('writes a time before 1970 as text in the column time zone', () => {
    expect(dateTime64(3, 'Asia/Tokyo').toClickHouse('1950-01-01 00:00:00.25Z')).toBe('1950-01-01 09:00:00.250')
  })

  it('has an empty value ClickHouse can parse (tombstones carry it)', () => {
    expect(dateTime64(3, 'UTC').emptyValue()).toBe('1970-01-01 00:00:00.000')
  })

  it('refuses an unknown time zone when declared', () => {
    expect(() => dateTime('Mars/Olympus')).toThrow(ConfigError)
    expect(() => dateTime64(3, 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/)
  })

  it('rejects a time outside 1900..2299 and a bad precision', () => {
    expect(() => dateTime64(3).toClickHouse('1800-01-01')).toThrow(PoisonRowError)
    expect(() => dateTime64(10)).toThrow(ConfigError)
    expect(dateTime64(3, 'UTC').toSQLType()).toBe("DateTime64(3, 'UTC')")
  })
})
