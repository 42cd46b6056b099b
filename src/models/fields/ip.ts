import { isIPv4, isIPv6 } from 'node:net'
import { Field, type ClickHouseValue } from './common.js'

/**
 * `IPv4` / `IPv6` (ClickHouse ≥ 19.3). Takes pg inet text; a host prefix (`/32`, `/128`) is dropped,
 * a network prefix rejected. An IPv4 address into an IPv6 column goes out IPv4-mapped (`::ffff:a.b.c.d`).
 */
export class IPField<TVersion extends 4 | 6 = 4 | 6> extends Field<string> {
  readonly kind = 'ip'

  constructor(readonly version: TVersion) {
    super()
  }

  toSQLType(): string {
    return `IPv${this.version}`
  }

  families(): string[] {
    return [this.toSQLType()]
  }

  emptyValue(): ClickHouseValue {
    return this.version === 4 ? '0.0.0.0' : '::'
  }

  protected convert(value: unknown): ClickHouseValue {
    if (typeof value !== 'string') this.reject(value, 'not an IP address')
    const [address = '', prefix] = value.trim().split('/')
    if (isIPv4(address)) {
      if (prefix !== undefined && prefix !== '32') this.reject(value, 'a network, not one address')
      return this.version === 4 ? address : `::ffff:${address}`
    }
    if (this.version === 6 && isIPv6(address)) {
      if (prefix !== undefined && prefix !== '128') this.reject(value, 'a network, not one address')
      return address.toLowerCase()
    }
    this.reject(value, `not an IPv${this.version} address`)
  }
}

/** `IPv4`. @example ipv4() */
export const ipv4 = () => new IPField(4)
/** `IPv6`. */
export const ipv6 = () => new IPField(6)
