import { afterEach, describe, expect, it } from 'vitest'
import { ProfileSession } from '../core/profile-session'
import type { Tinjau } from '../core/tinjau'
import { startFixture, type WebFixture } from './testing/web-fixture'

let fx: WebFixture | undefined
afterEach(async () => {
  await fx?.close()
  fx = undefined
})

/** Read an SSE body until `until` matches the text so far (or time runs out). */
async function readUntil(body: ReadableStream<Uint8Array>, until: RegExp, ms = 5000): Promise<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  const deadline = Date.now() + ms
  try {
    while (!until.test(text)) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(text)}`)
      const next = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out; got ${JSON.stringify(text)}`)), left))])
      if (next.done) break
      text += decoder.decode(next.value, { stream: true })
    }
    return text
  } finally {
    reader.releaseLock()
  }
}

/** Counts live subscriptions (streams subscribe to the host's profile session), to prove a stream unsubscribes when it ends. */
function counting(t: Tinjau, live: { n: number }): ProfileSession {
  const session = ProfileSession.fixed(t)
  const on = session.onEvent.bind(session)
  session.onEvent = (listener) => {
    live.n++
    const off = on(listener)
    return () => {
      live.n--
      return off()
    }
  }
  return session
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('GET /api/events', () => {
  it('needs the secret', async () => {
    fx = await startFixture()
    expect((await fetch(`${fx.host.url}/api/events`)).status).toBe(401)
    expect((await fetch(`${fx.host.url}/api/events?k=wrong`)).status).toBe(401)
  })

  it('streams queue.changed after an import and a decision', async () => {
    fx = await startFixture()
    const controller = new AbortController()
    const res = await fetch(`${fx.host.url}/api/events?k=${fx.host.secret}`, { signal: controller.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const body = res.body!
    await readUntil(body, /: connected\n\n/)

    expect((await fx.api('pack.importDirectory', { path: fx.pack(1) })).status).toBe(200)
    expect(await readUntil(body, /event: queue\.changed\ndata: \{"reason":"import"\}\n\n/)).toBeTruthy()

    const saved = await fx.api('decision.record', { clipId: 'clip-000000', categories: ['ok.news'], action: 'allow' })
    expect(saved.status).toBe(200)
    expect(await readUntil(body, /event: queue\.changed\ndata: \{"reason":"decision"\}\n\n/)).toBeTruthy()
    controller.abort()
  })

  it('sends keep-alive comments and unsubscribes when the client leaves', async () => {
    const live = { n: 0 }
    fx = await startFixture({ keepAliveMs: 50, sessionOf: (t) => counting(t, live) })
    const controller = new AbortController()
    const res = await fetch(`${fx.host.url}/api/events?k=${fx.host.secret}`, { signal: controller.signal })
    await readUntil(res.body!, /: keep-alive\n\n/)
    expect(live.n).toBe(1)
    controller.abort()
    await until(() => live.n === 0)
  })

  it('ends open streams when the host closes', async () => {
    const live = { n: 0 }
    fx = await startFixture({ sessionOf: (t) => counting(t, live) })
    const res = await fetch(`${fx.host.url}/api/events?k=${fx.host.secret}`)
    await readUntil(res.body!, /: connected/)
    expect(live.n).toBe(1)
    await fx.host.close()
    expect(live.n).toBe(0)
    const reader = res.body!.getReader()
    // The stream ends (done) rather than hanging.
    for (;;) if ((await reader.read()).done) break
  })
})
