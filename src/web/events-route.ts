import type { Hono } from 'hono'
import type { Tinjau } from '../core/tinjau'
import { requireSecret } from './auth'

/**
 * `GET /api/events?k=<secret>`: contract events as server-sent events
 * (`event: <name>` / `data: <json>`). A comment line every `keepAliveMs` keeps proxies and
 * idle timers from closing the stream; every subscription is dropped when the client
 * goes away or the host closes.
 */

export interface EventsRouteOptions {
  tinjau: () => Pick<Tinjau, 'onEvent'>
  secret: string
  keepAliveMs: number
  /** Open streams, so closing the host can end them (server.close waits for them otherwise). */
  open: Set<() => void>
}

const encoder = new TextEncoder()

export function addEventsRoute(app: Hono, opts: EventsRouteOptions): void {
  app.get('/api/events', requireSecret(opts.secret, { allowQuery: true }), (c) => {
    let end = () => {}
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let ended = false
        const send = (text: string) => {
          if (ended) return
          try {
            controller.enqueue(encoder.encode(text))
          } catch {
            end()
          }
        }
        const unsubscribe = opts.tinjau().onEvent((event, payload) => send(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`))
        const timer = setInterval(() => send(': keep-alive\n\n'), opts.keepAliveMs)
        timer.unref()
        end = () => {
          if (ended) return
          ended = true
          unsubscribe()
          clearInterval(timer)
          opts.open.delete(end)
          c.req.raw.signal.removeEventListener('abort', end)
          try {
            controller.close()
          } catch {
            // already closed or errored by a cancel
          }
        }
        opts.open.add(end)
        c.req.raw.signal.addEventListener('abort', end)
        // Sent at once so the client sees the stream is open (and headers are flushed).
        send(': connected\n\n')
      },
      cancel() {
        end()
      },
    })
    return new Response(body, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      },
    })
  })
}
