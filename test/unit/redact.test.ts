import { describe, expect, it } from 'vitest'
import { redactSecrets, redactUrl } from '../../src/redact.js'

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('http://alice:s3cr%40t@ch.local:8123/db')).toBe('http://alice:***@ch.local:8123/db')
  })

  it('leaves a URL without password unchanged', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379')
  })

  it('leaves a non-URL unchanged', () => {
    expect(redactUrl('chdb://:memory:')).toBe('chdb://:memory:')
  })
})

describe('redactSecrets', () => {
  it('removes every occurrence of each secret', () => {
    expect(redactSecrets('pw=hunter2 again hunter2', ['hunter2', undefined])).toBe('pw=*** again ***')
  })
})
