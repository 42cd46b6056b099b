import { describe, expect, it } from 'vitest'
import { captureNames } from '../../../src/capture/triggers.js'

describe('captureNames', () => {
  it.each([
    { name: 'a short import key', importKey: 'Users' },
    { name: 'a long import key', importKey: 'x'.repeat(200) },
    { name: 'quotes and unicode', importKey: `it's "ünï"` },
  ])('stays within 63 bytes for $name', ({ importKey }) => {
    const names = captureNames(importKey)
    for (const name of [names.function, ...Object.values(names.triggers)]) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63)
      expect(name).toMatch(/^chsync_capture_[a-z0-9_]+$/)
    }
  })

  it('tells apart import keys that differ only in dropped characters', () => {
    expect(captureNames('a-b').function).not.toBe(captureNames('a.b').function)
  })
})
