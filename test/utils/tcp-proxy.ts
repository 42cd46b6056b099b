import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a service, for outages a stopped server cannot produce: `cut()` turns
 * every connection open at that moment into a black hole for good — the proxy keeps it open and
 * acknowledges what the client sends, but nothing passes either way any more, like a connection
 * to a host that vanished behind a failover or a firewall that dropped its state (no RST ever
 * comes back). Connections opened during the cut are black holes too. After `restore()` new
 * connections pass again; the black-holed ones stay dead, so only a client that notices the
 * silence and reconnects recovers.
 */
export class TcpProxy {
  /** Client socket → its connection to the service, while traffic passes. */
  private readonly live = new Map<Socket, Socket>()
  private readonly dead = new Set<Socket>()
  private cutting = false

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `targetPort` there. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const address = server.address()
    if (!address || typeof address === 'string') throw new Error('proxy has no port')
    const proxy = new TcpProxy(server, address.port)
    server.on('connection', (client: Socket) => proxy.accept(client, targetPort))
    return proxy
  }

  /** From now on nothing passes on any connection open now or opened until `restore()`. */
  cut(): void {
    this.cutting = true
    for (const [client, upstream] of this.live) {
      // The service side goes away quietly: the client must not hear of it.
      upstream.removeAllListeners('close')
      upstream.destroy()
      this.blackHole(client)
    }
    this.live.clear()
  }

  /** New connections pass again; the ones cut stay dead. */
  restore(): void {
    this.cutting = false
  }

  async close(): Promise<void> {
    for (const [client, upstream] of this.live) {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of this.dead) socket.destroy()
    await new Promise((done) => this.server.close(done))
  }

  private accept(client: Socket, targetPort: number): void {
    client.on('error', () => undefined)
    if (this.cutting) {
      this.blackHole(client)
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    upstream.on('error', () => client.destroy())
    client.on('close', () => {
      this.live.delete(client)
      upstream.destroy()
    })
    upstream.on('close', () => client.destroy())
    // Forwarding goes through the pair's live membership, so a cut stops it mid-stream.
    client.on('data', (data) => {
      if (this.live.has(client)) upstream.write(data)
    })
    upstream.on('data', (data) => {
      if (this.live.has(client)) client.write(data)
    })
    this.live.set(client, upstream)
  }

  /** Keeps the client's socket open and reading (so its writes are acknowledged), forwarding nothing. */
  private blackHole(client: Socket): void {
    this.dead.add(client)
    client.removeAllListeners('close')
    client.on('data', () => undefined)
  }
}
