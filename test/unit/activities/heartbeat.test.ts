import { afterEach, describe, expect, it, vi } from 'vitest'
import { MockActivityEnvironment } from '@temporalio/testing'
import { withHeartbeat } from '../../../activities/heartbeat.js'

describe('withHeartbeat', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('heartbeats every 5 s while the step runs, re-sending the latest progress', async () => {
    vi.useFakeTimers()
    const env = new MockActivityEnvironment()
    const beats: unknown[] = []
    env.on('heartbeat', (details: unknown) => beats.push(details))
    let release: () => void = () => undefined
    const running = env.run(() =>
      withHeartbeat(async (report) => {
        await new Promise<void>((resolve) => (release = resolve))
        report({ done: ['m/a/0'] })
        await new Promise<void>((resolve) => (release = resolve))
        return 'ok'
      }),
    )
    await vi.advanceTimersByTimeAsync(5_000)
    release()
    await vi.advanceTimersByTimeAsync(10_000)
    release()
    expect(await running).toBe('ok')
    expect(beats).toEqual([undefined, { done: ['m/a/0'] }, { done: ['m/a/0'] }, { done: ['m/a/0'] }])
    // Stops with the step: no heartbeat after it returned.
    await vi.advanceTimersByTimeAsync(20_000)
    expect(beats).toHaveLength(4)
  })
})
