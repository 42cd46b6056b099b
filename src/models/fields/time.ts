/**
 * Date and time parsing shared by the Date and DateTime families. Input: a JS Date (pg's timestamptz),
 * or text as PostgreSQL prints it (`2024-01-31`, `2024-01-31 12:00:00.123456+02`, ISO 8601 with `T`
 * and `Z`). Text without an offset is read as UTC. Fractions are kept as digits (up to 9), so
 * microsecond timestamps survive for DateTime64(6).
 */

/** A point in time: whole seconds since the epoch plus the fraction's digits (no rounding). */
export interface Instant {
  seconds: number
  fraction: string
}

const TEXT_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/** Parses a Date or date/time text; null when it is not a valid calendar date and time. */
export function parseInstant(value: unknown): Instant | null {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (Number.isNaN(ms)) return null
    const seconds = Math.floor(ms / 1000)
    return { seconds, fraction: String(ms - seconds * 1000).padStart(3, '0') }
  }
  if (typeof value !== 'string') return null
  const match = TEXT_PATTERN.exec(value.trim())
  if (!match) return null
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 2023-02-30 over to March: a day that does not exist is rejected, not moved.
  const check = new Date(ms)
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  return { seconds: ms / 1000 - offsetSeconds(offset), fraction }
}

function offsetSeconds(offset: string | undefined): number {
  if (!offset || offset.toUpperCase() === 'Z') return 0
  const sign = offset.startsWith('-') ? -1 : 1
  const digits = offset.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2) || '0') * 60)
}

/** `YYYY-MM-DD` of a day count since 1970-01-01 (UTC). */
export function dayText(seconds: number): string {
  return new Date(Math.floor(seconds / 86_400) * 86_400_000).toISOString().slice(0, 10)
}

/**
 * `YYYY-MM-DD hh:mm:ss` of an instant as a clock in `timezone` shows it (IANA name, e.g. `Asia/Tokyo`).
 * For values ClickHouse only reads as text (DateTime64 before 1970), which it reads in the column's
 * time zone. Throws RangeError for a time zone the runtime does not know.
 */
export function wallClockText(seconds: number, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(seconds * 1000))
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value ?? '00'
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`
}
