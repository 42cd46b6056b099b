import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The live process that holds an embedded ClickHouse directory, read from the `status` file the
 * engine writes there (`PID: …`, `Started at: …`); undefined when the file is missing, unreadable, or
 * names a process that has ended. chDB locks the directory for one process and its own message
 * ("Failed to create connection") does not say by whom.
 */
export function embeddedDirectoryHolder(path: string): { pid: number; startedAt: string | undefined } | undefined {
  let status: string
  try {
    status = readFileSync(join(path, 'status'), 'utf8')
  } catch {
    return undefined
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(status)?.[1])
  if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) return undefined
  return { pid, startedAt: /^Started at:\s*(.+)$/m.exec(status)?.[1]?.trim() }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
