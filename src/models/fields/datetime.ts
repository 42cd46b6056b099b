import { quoteString } from '../../clickhouse/sql.js'
import { ConfigError } from '../../errors.js'
import { Field, type ClickHouseValue } from './common.js'
import { parseInstant, wallClockText } from './time.js'

const DATETIME_MAX = 4_294_967_295
const DATETIME64_MIN = Date.UTC(1900, 0, 1) / 1000
const DATETIME64_MAX = Date.UTC(2299, 11, 31, 23, 59, 59) / 1000

/** A time zone the runtime cannot resolve would only fail on the first row: refuse it at declaration. */
function checkTimezone(timezone: string | undefined): void {
  if (timezone === undefined) return
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone })
  } catch {
    throw new ConfigError(`unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as 'UTC')`)
  }
}

function timezoneSQL(timezone: string | undefined): string {
  return timezone === undefined ? '' : quoteString(timezone)
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
    checkTimezone(timezone)
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

/** From here on (2001-09-09) unix seconds have ten digits, which ClickHouse never mistakes for a date. */
const UNAMBIGUOUS_UNIX_SECONDS = 1_000_000_000

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
    checkTimezone(timezone)
  }

  toSQLType(): string {
    const tz = this.timezone === undefined ? '' : `, ${timezoneSQL(this.timezone)}`
    return `DateTime64(${this.precision}${tz})`
  }

  families(): string[] {
    return ['DateTime64']
  }

  emptyValue(): ClickHouseValue {
    return this.convert(new Date(0))
  }

  protected convert(value: unknown): ClickHouseValue {
    const instant = parseInstant(value)
    if (!instant) this.reject(value, 'not a date and time')
    if (instant.seconds < DATETIME64_MIN || instant.seconds > DATETIME64_MAX)
      this.reject(value, 'outside 1900-01-01..2299-12-31')
    const fraction = instant.fraction.padEnd(this.precision, '0').slice(0, this.precision)
    const withFraction = (text: string) => (this.precision === 0 ? text : `${text}.${fraction}`)
    if (instant.seconds >= UNAMBIGUOUS_UNIX_SECONDS) return withFraction(String(instant.seconds))
    // ClickHouse reads no negative fractional timestamp, and parses short digit strings ("0", "0.000",
    // "86400.5") as dates instead of seconds: before 2001-09-09 the value goes out as text, which the
    // server reads in the column's time zone (the server's own when the column names none; UTC
    // assumed then).
    return withFraction(wallClockText(instant.seconds, this.timezone ?? 'UTC'))
  }
}

/** `DateTime[(tz)]`. @example dateTime('UTC') */
export const dateTime = (timezone?: string) => new DateTimeField(timezone)
/** `DateTime64(P[, tz])`. @example dateTime64(3, 'UTC') */
export const dateTime64 = (precision: number, timezone?: string) => new DateTime64Field(precision, timezone)
