import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { parseNumberArray, sourceTypeParsers } from '../../../src/source/type-parsers.js'

describe('sourceTypeParsers', () => {
  const float4s = sourceTypeParsers.getTypeParser(1021 as never, 'text') as (text: string) => unknown
  const pgFloat4s = pg.types.getTypeParser(1021 as never, 'text') as (text: string) => unknown

  it.each([
    { name: 'floats', text: '{0.1,-2.5,3}' },
    { name: 'exponents', text: '{1e-05,-2.5E+20,3.4028235e+38}' },
    { name: 'empty', text: '{}' },
    { name: 'two dimensions', text: '{{1,2},{3,4}}' },
    { name: 'NULL', text: '{1,NULL,3}' },
    { name: 'NaN and Infinity', text: '{NaN,Infinity,-Infinity}' },
  ])('parses $name float arrays as pg does', ({ text }) => {
    expect(float4s(text)).toEqual(pgFloat4s(text))
  })

  it('leaves every other type to pg', () => {
    expect(sourceTypeParsers.getTypeParser(1184, 'text')).toBe(pg.types.getTypeParser(1184, 'text'))
  })

  it('falls back on text that is not JSON', () => {
    expect(parseNumberArray('{1,,2}', () => 'fallback')).toBe('fallback')
  })
})
