import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { ipv4, ipv6 } from '../../../../src/models/fields/index.js'

describe('IPField', () => {
  it.each([
    { name: 'IPv4', field: ipv4(), value: '10.0.0.1', out: '10.0.0.1' },
    { name: 'pg inet host prefix', field: ipv4(), value: '10.0.0.1/32', out: '10.0.0.1' },
    { name: 'IPv6', field: ipv6(), value: '2001:DB8::1', out: '2001:db8::1' },
    { name: 'IPv4 into IPv6', field: ipv6(), value: '10.0.0.1', out: '::ffff:10.0.0.1' },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toBe(out)
  })

  it.each([
    { name: 'a network', field: ipv4(), value: '10.0.0.0/8', why: /a network/ },
    { name: 'IPv6 into IPv4', field: ipv4(), value: '::1', why: /not an IPv4 address/ },
    { name: 'garbage', field: ipv6(), value: 'host', why: /not an IPv6 address/ },
  ])('rejects $name', ({ field, value, why }) => {
    expect(() => field.toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => field.toClickHouse(value)).toThrow(why)
  })
})
