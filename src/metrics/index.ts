export { SyncMetrics } from './metrics.js'
export { serveMetrics } from './server.js'
