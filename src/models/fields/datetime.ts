import { ConfigError } from '../../errors.js'
import { Field, type ClickHouseValue } from './common.js'
import { parseInstant } from './time.js'

const DATETIME_MAX = 4_294_967_295
const DATETIME64_MIN = Date.UTC(1900, 0, 1) / 1000
const DATETIME64_MAX = Date.UTC(2299, 11, 31, 23, 59, 59) / 1000

function timezoneSQL(timezone: string | undefined): string {
  return timezone === undefined ? '' : `'${timezone.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * `DateTime[(tz)]`: whole seconds. Takes a JS Date, date/time text (offset honoured, none = UTC) or a
 * Unix timestamp; sends the Unix timestamp, which every server reads the same whatever the column's
 * time zone. The fraction is dropped (DateTime has none).
 */
export class DateTimeField extends Field<Date | string | number> {
  readonly kind = 'dateTime'

  constructor(readonly timezone?: string) {
    super()
  }

  toSQLType(): string {
    return this.timezone === undefined ? 'DateTime' : `DateTime(${timezoneSQL(this.timezone)})`
  }

  families(): string[] {
    return ['DateTime']
  }

  emptyValue(): ClickHouseValue {
    return 0
  }

  protected convert(value: unknown): ClickHouseValue {
    const seconds = typeof value === 'number' ? (Number.isInteger(value) ? value : NaN) : parseInstant(value)?.seconds
    if (seconds === undefined || Number.isNaN(seconds)) this.reject(value, 'not a date and time')
    if (seconds < 0 || seconds > DATETIME_MAX) this.reject(value, 'outside 1970-01-01..2106-02-07')
    return seconds
  }
}

/**
 * `DateTime64(P[, tz])` (ClickHouse ≥ 20.1): sends `<unix seconds>.<P digits>` text, exact to the
 * precision; extra fraction digits (pg keeps microseconds) are truncated, never rounded up.
 */
export class DateTime64Field extends Field<Date | string> {
  readonly kind = 'dateTime64'

  constructor(
    readonly precision: number,
    readonly timezone?: string,
  ) {
    super()
    if (!Number.isInteger(precision) || precision < 0 || precision > 9)
      throw new ConfigError(`DateTime64 precision must be 0..9, got ${precision}`)
  }

  toSQLType(): string {
    const tz = this.timezone === undefined ? '' : `, ${timezoneSQL(this.timezone)}`
    return `DateTime64(${this.precision}${tz})`
  }

  families(): string[] {
    return ['DateTime64']
  }

  emptyValue(): ClickHouseValue {
    return '0'
  }

  protected convert(value: unknown): ClickHouseValue {
    const instant = parseInstant(value)
    if (!instant) this.reject(value, 'not a date and time')
    if (instant.seconds < DATETIME64_MIN || instant.seconds > DATETIME64_MAX)
      this.reject(value, 'outside 1900-01-01..2299-12-31')
    if (this.precision === 0) return String(instant.seconds)
    const fraction = instant.fraction.padEnd(this.precision, '0').slice(0, this.precision)
    if (instant.seconds >= 0) return `${instant.seconds}.${fraction}`
    // Before 1970 the text form is unambiguous where a negative fractional timestamp is not.
    const whole = new Date(instant.seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')
    return `${whole}.${fraction}`
  }
}

/** `DateTime[(tz)]`. @example dateTime('UTC') */
export const dateTime = (timezone?: string) => new DateTimeField(timezone)
/** `DateTime64(P[, tz])`. @example dateTime64(3, 'UTC') */
export const dateTime64 = (precision: number, timezone?: string) => new DateTime64Field(precision, timezone)
