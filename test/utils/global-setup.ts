import { execFileSync } from 'node:child_process'

/**
 * Brings the local service stack up before integration and e2e tests, then the tools two tests
 * need (chromium, compose-go's validator: scripts/test-tools.sh). Both are idempotent: fast when
 * everything is there. CHSYNC_SERVICES=external skips both and uses whatever services.env / the
 * environment describe, e.g. services from docker compose.
 */
export default function setup(): void {
  if (process.env.CHSYNC_SERVICES === 'external') return
  execFileSync('bash', ['scripts/services.sh', 'up'], { stdio: ['ignore', 'inherit', 'inherit'] })
  execFileSync('bash', ['scripts/test-tools.sh'], { stdio: ['ignore', 'inherit', 'inherit'] })
}
