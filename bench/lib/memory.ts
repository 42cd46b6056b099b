/**
 * Samples this process's resident set size while a phase runs: the worker runs in the benchmark
 * process, so this is the worker's RSS plus the (small) driver's — an upper bound.
 */
export class RssSampler {
  private peak = 0
  private timer: NodeJS.Timeout | undefined

  start(everyMs = 25): this {
    this.peak = process.memoryUsage.rss()
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss())
    }, everyMs)
    this.timer.unref()
    return this
  }

  /** Stops sampling; the peak in MB. */
  stop(): number {
    clearInterval(this.timer)
    this.peak = Math.max(this.peak, process.memoryUsage.rss())
    return this.peak / 2 ** 20
  }
}

/** Runs `work` with a sampler; returns its value and the peak RSS in MB. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMb: number }> {
  globalThis.gc?.()
  const sampler = new RssSampler().start()
  try {
    const value = await work()
    return { value, peakMb: sampler.stop() }
  } finally {
    sampler.stop()
  }
}
