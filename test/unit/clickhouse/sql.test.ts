import { describe, expect, it } from 'vitest'
import { qualifiedTable, quoteIdentifier, quoteString } from '../../../src/clickhouse/sql.js'

describe('quoteIdentifier', () => {
  it.each([
    { name: 'plain', input: 'events', quoted: '`events`' },
    { name: 'back quote', input: 'a`b', quoted: '`a\\`b`' },
    { name: 'backslash before quote', input: 'a\\`; DROP TABLE x; --', quoted: '`a\\\\\\`; DROP TABLE x; --`' },
    { name: 'dot and space', input: 'my table.v2', quoted: '`my table.v2`' },
    { name: 'unicode', input: 'события', quoted: '`события`' },
  ])('quotes a $name identifier', ({ input, quoted }) => {
    expect(quoteIdentifier(input)).toBe(quoted)
  })

  it('rejects an empty identifier', () => {
    expect(() => quoteIdentifier('')).toThrow(/cannot be empty/)
  })

  it('rejects a NUL byte', () => {
    expect(() => quoteIdentifier('a\0b')).toThrow(/NUL/)
  })
})

describe('qualifiedTable', () => {
  it('quotes database and table separately', () => {
    expect(qualifiedTable('analytics', 'page.views')).toBe('`analytics`.`page.views`')
  })
})

describe('quoteString', () => {
  it.each([
    { text: 'UTC', out: "'UTC'" },
    { text: "it's", out: "'it\\'s'" },
    { text: "a\\' OR 1", out: "'a\\\\\\' OR 1'" },
  ])('quotes $text so it cannot end the literal early', ({ text, out }) => {
    expect(quoteString(text)).toBe(out)
  })
})
