import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { date, date32 } from '../../../../src/models/fields/index.js'

describe('DateField', () => {
  it.each([
    { name: 'text', field: date(), value: '2024-02-29', out: '2024-02-29' },
    { name: 'a Date (its UTC day)', field: date(), value: new Date('2024-01-31T23:30:00Z'), out: '2024-01-31' },
    { name: 'timestamptz text', field: date(), value: '2024-01-31 23:30:00+00', out: '2024-01-31' },
    { name: 'Date32 before 1970', field: date32(), value: '1900-01-01', out: '1900-01-01' },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toBe(out)
  })

  it.each([
    { name: 'a day that does not exist', field: date(), value: '2023-02-30', why: /not a date/ },
    { name: 'Date before 1970', field: date(), value: '1969-12-31', why: /outside 1970-01-01..2149-06-06/ },
    { name: 'Date after 2149-06-06', field: date(), value: '2149-06-07', why: /outside/ },
    { name: 'Date32 before 1900', field: date32(), value: '1899-12-31', why: /outside 1900-01-01..2299-12-31/ },
    { name: 'an invalid Date', field: date(), value: new Date('x'), why: /not a date/ },
    { name: 'garbage', field: date(), value: 'yesterday', why: /not a date/ },
  ])('rejects $name', ({ field, value, why }) => {
    expect(() => field.toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => field.toClickHouse(value)).toThrow(why)
  })
})
