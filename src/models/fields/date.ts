import { Field, type ClickHouseValue } from './common.js'
import { dayText, parseInstant } from './time.js'

/** Day ranges in seconds since the epoch: Date 1970-01-01..2149-06-06, Date32 1900-01-01..2299-12-31. */
const RANGES = {
  Date: { min: 0, max: Date.UTC(2149, 5, 6) / 1000, text: '1970-01-01..2149-06-06' },
  Date32: { min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(2299, 11, 31) / 1000, text: '1900-01-01..2299-12-31' },
} as const

/**
 * `Date` / `Date32`. Takes a JS Date (its UTC day) or `YYYY-MM-DD` text; sends `YYYY-MM-DD`.
 * pg parses `date` columns into local-midnight Dates: read them as text (or run in UTC) to keep the day.
 */
export class DateField<TType extends 'Date' | 'Date32' = 'Date' | 'Date32'> extends Field<Date | string> {
  readonly kind = 'date'

  constructor(readonly type: TType) {
    super()
  }

  toSQLType(): string {
    return this.type
  }

  families(): string[] {
    return [this.type]
  }

  emptyValue(): ClickHouseValue {
    return '1970-01-01'
  }

  protected convert(value: unknown): ClickHouseValue {
    const instant = parseInstant(value)
    if (!instant) this.reject(value, 'not a date')
    const range = RANGES[this.type]
    if (instant.seconds < range.min || instant.seconds >= range.max + 86_400)
      this.reject(value, `outside ${range.text}`)
    return dayText(instant.seconds)
  }
}

/** `Date`. @example date() */
export const date = () => new DateField('Date')
/** `Date32` (ClickHouse ≥ 21.9). */
export const date32 = () => new DateField('Date32')
