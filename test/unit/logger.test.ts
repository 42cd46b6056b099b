import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'

/** A logger whose JSON lines land in an array. */
function capture() {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  })
  return { logger, lines }
}

describe('createLogger', () => {
  it('logs an error once, with its causes nested rather than appended to its message', () => {
    const { logger, lines } = capture()
    const cause = new Error('column "hiden" does not exist')
    logger.warn({ err: new Error(`reading rows failed: ${cause.message}`, { cause }) }, 'round failed')
    const err = lines[0]?.err as { message: string; cause: { message: string } }
    expect(err.message).toBe('reading rows failed: column "hiden" does not exist')
    expect(err.cause.message).toBe('column "hiden" does not exist')
  })

  it('masks the password of a URL under a url key', () => {
    const { logger, lines } = capture()
    logger.info({ service: { url: 'postgres://chsync:s3cret@127.0.0.1:5432/db' } }, 'connecting')
    expect(JSON.stringify(lines[0])).not.toContain('s3cret')
    expect(JSON.stringify(lines[0])).toContain('127.0.0.1:5432')
  })
})
