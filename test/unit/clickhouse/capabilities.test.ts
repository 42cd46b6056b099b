import { describe, expect, it } from 'vitest'
import { parseVersion } from '../../../src/clickhouse/capabilities.js'

describe('parseVersion', () => {
  it.each([
    { version: '18.16.1', major: 18, minor: 16 },
    { version: '26.7.2.1', major: 26, minor: 7 },
    { version: '23.2', major: 23, minor: 2 },
    { version: 'garbage', major: 0, minor: 0 },
  ])('reads major and minor of $version', ({ version, major, minor }) => {
    expect(parseVersion(version)).toEqual({ major, minor })
  })
})
