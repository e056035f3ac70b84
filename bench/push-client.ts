/**
 * How bench:lead's simulated devices send their pushes. The devices share this machine's two
 * cores with the service they load (in a deployment they are other machines), so what they
 * spend is taken from the service: through `fetch` (undici) they took ~0.06 ms of CPU a
 * decision, a tenth of everything a decision cost (docs/performance.md, "A lighter client for
 * the simulated devices"). node:http with kept-alive connections sends the same bytes, with
 * the same headers, for less. BENCH_PUSH_CLIENT=fetch keeps the old client, to compare.
 */
import http from 'node:http'

export type PushClient = 'http' | 'fetch'

export function pushClientOf(value: string | undefined): PushClient {
  const v = value ?? 'http'
  if (v !== 'http' && v !== 'fetch') throw new Error(`BENCH_PUSH_CLIENT must be http or fetch, not "${v}"`)
  return v
}

// A device has one push in flight at a time, so at most one connection per device and instance.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })

/** POSTs `body` and reads the whole answer; a network error rejects, as fetch's does. */
export async function post(client: PushClient, url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  if (client === 'fetch') {
    const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) })
    return { status: res.status, text: await res.text() }
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Closes the kept-alive connections, so the bench's process can end. */
export function closePushClient(): void {
  agent.destroy()
}
