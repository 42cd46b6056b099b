import { afterAll, describe, expect, it } from 'vitest'
import { missingCapabilities, probeCapabilities } from '../../../src/clickhouse/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'

describe('probeCapabilities', () => {
  const server = clickhouseServer()
  const embedded = clickhouseEmbedded()
  afterAll(async () => {
    await server.client.close()
    await embedded.client.close()
  })

  it('finds the old server lacks deduplication tokens and query parameters', async () => {
    const capabilities = await probeCapabilities(server)
    expect(capabilities.major).toBe(18)
    expect(capabilities.insertDeduplicationToken).toBe(false)
    expect(capabilities.nonReplicatedDeduplicationWindow).toBe(false)
    expect(capabilities.queryParameters).toBe(false)
    expect(capabilities.replacingIsDeleted).toBe(false)
    expect(capabilities.dateTime64).toBe(false)
    expect(capabilities.lowCardinality).toBe(true)
    expect(capabilities.lowCardinalityExperimental).toBe(true)
    expect(capabilities.settings.has('max_insert_block_size')).toBe(true)
    expect(missingCapabilities(capabilities)).toContain('query parameters')
  })

  it('finds the embedded 26.x engine has every feature chsync uses', async () => {
    const capabilities = await probeCapabilities(embedded)
    expect(capabilities.major).toBeGreaterThanOrEqual(24)
    expect(capabilities).toMatchObject({
      insertDeduplicationToken: true,
      nonReplicatedDeduplicationWindow: true,
      dependentViewDeduplication: true,
      asyncInsert: true,
      queryParameters: true,
      replacingIsDeleted: true,
      lowCardinality: true,
      lowCardinalityExperimental: false,
      dateTime64: true,
      date32: true,
      bool: true,
      map: true,
      ipv4: true,
    })
    expect(missingCapabilities(capabilities)).toEqual([])
  })
})
