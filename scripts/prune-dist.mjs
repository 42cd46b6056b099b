// Removes from dist/ every compiled file whose source is gone, before `tsc` writes the rest: a module
// deleted from the sources must not ship. Files whose source exists stay in place (tsc overwrites
// them), so a worker or CLI running from dist/ meanwhile never finds its modules missing.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'

const COMPILED = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/

function prune(dir) {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      prune(path)
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true })
    } else if (!existsSync(relative('dist', path).replace(COMPILED, '.ts'))) rmSync(path)
  }
}

prune('dist')
