import { execFileSync } from 'node:child_process'

/**
 * Brings the local service stack up before integration and e2e tests (idempotent: fast when it
 * already runs). CHSYNC_SERVICES=external skips it and uses whatever services.env / the environment
 * describe, e.g. services from docker compose.
 */
export default function setup(): void {
  if (process.env.CHSYNC_SERVICES === 'external') return
  execFileSync('bash', ['scripts/services.sh', 'up'], { stdio: ['ignore', 'inherit', 'inherit'] })
}
