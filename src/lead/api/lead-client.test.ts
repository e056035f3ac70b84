import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { DisputeList } from '../../shared/lead-api'
import { EarlyAnswers } from './early-answers'
import { LeadApiError, LeadClient, leadUrl, type Fetcher } from './lead-client'

const answering =
  (status: number, body: string, seen: { url?: string; init?: RequestInit } = {}): Fetcher =>
  async (url, init) => {
    seen.url = url
    seen.init = init
    return new Response(body, { status, headers: { 'content-type': 'application/json' } })
  }

const refusal = async (p: Promise<unknown>) => {
  const err = await p.catch((e: unknown) => e)
  expect(err).toBeInstanceOf(LeadApiError)
  return err as LeadApiError
}

describe('the lead console client', () => {
  test('sends JSON same-origin to /lead/api and returns the checked answer', async () => {
    const seen: { url?: string; init?: RequestInit } = {}
    const client = new LeadClient(answering(200, JSON.stringify({ items: [], next: null, total: 0 }), seen))
    expect(await client.call(DisputeList, 'GET', '/disputes', { query: { limit: 50, cursor: undefined, pack: 'p 1' } })).toEqual({ items: [], next: null, total: 0 })
    expect(seen.url).toBe('/lead/api/disputes?limit=50&pack=p+1')
    expect(seen.init?.credentials).toBe('same-origin')
    await client.call(z.object({ ok: z.boolean() }).loose(), 'POST', '/exports', { body: { since_last: true } }).catch(() => null)
    expect(seen.init?.body).toBe('{"since_last":true}')
    expect((seen.init?.headers as Record<string, string>)['content-type']).toBe('application/json')
    expect(leadUrl('/session')).toBe('/lead/api/session')
  })

  test("a refusal keeps the service's code, message and details", async () => {
    const body = { error: { code: 'policy_violation', message: 'the outcome breaks the policy', details: [{ path: 'body.rationale', message: 'required for remove' }] } }
    const err = await refusal(new LeadClient(answering(422, JSON.stringify(body))).call(z.unknown(), 'POST', '/clips/c/outcome', { body: {} }))
    expect(err.code).toBe('policy_violation')
    expect(err.status).toBe(422)
    expect(err.details).toEqual([{ path: 'body.rationale', message: 'required for remove' }])
  })

  test('a broken answer is refused with what and where, never half-used', async () => {
    const notJson = await refusal(new LeadClient(answering(200, '<html>proxy error</html>')).call(DisputeList, 'GET', '/disputes'))
    expect(notJson.code).toBe('invalid_response')
    expect(notJson.message).toMatch(/GET \/disputes.*not JSON/)
    const wrong = await refusal(new LeadClient(answering(200, JSON.stringify({ items: 'x', next: null, total: 0 }))).call(DisputeList, 'GET', '/disputes'))
    expect(wrong.code).toBe('invalid_response')
    expect(wrong.details[0]!.path).toBe('answer.items')
    const unexplained = await refusal(new LeadClient(answering(502, JSON.stringify({ oops: true }))).call(DisputeList, 'GET', '/disputes'))
    expect(unexplained.code).toBe('invalid_response')
    expect(unexplained.status).toBe(502)
  })

  test('an unreachable service is a network error', async () => {
    const err = await refusal(new LeadClient(async () => Promise.reject(new TypeError('Failed to fetch'))).call(DisputeList, 'GET', '/disputes'))
    expect(err.code).toBe('network')
    expect(err.message).toMatch(/Failed to fetch/)
  })
})

describe('answers asked for before the console started (early-answers.ts)', () => {
  const counting = () => {
    const asked: string[] = []
    const fetcher: Fetcher = async (url) => {
      asked.push(url)
      return new Response(JSON.stringify({ items: [], next: null, total: asked.length }), { status: 200 })
    }
    return { asked, fetcher }
  }

  test('the same GET takes the early answer, once; other requests ask the service', async () => {
    const early = counting()
    const answers = new EarlyAnswers(early.fetcher)
    answers.start([leadUrl('/disputes', { limit: 50 }), leadUrl('/session')])
    expect(early.asked).toEqual(['/lead/api/disputes?limit=50', '/lead/api/session'])
    const later = counting()
    const client = new LeadClient(later.fetcher, answers)
    expect((await client.call(DisputeList, 'GET', '/disputes', { query: { limit: 50 } })).total).toBe(1)
    expect(later.asked).toEqual([])
    // Taken once: the same list again is asked for anew, as is a page the boot did not ask for.
    await client.call(DisputeList, 'GET', '/disputes', { query: { limit: 50 } })
    await client.call(DisputeList, 'GET', '/disputes', { query: { limit: 50, cursor: 'x' } })
    await client.call(DisputeList, 'POST', '/session').catch(() => null)
    expect(later.asked).toEqual(['/lead/api/disputes?limit=50', '/lead/api/disputes?limit=50&cursor=x', '/lead/api/session'])
    expect(answers.pending).toBe(1)
  })

  test('dropped answers are never handed out; an aborted call takes none', async () => {
    const answers = new EarlyAnswers(counting().fetcher)
    answers.start([leadUrl('/disputes'), leadUrl('/policy')])
    const later = counting()
    const client = new LeadClient(later.fetcher, answers)
    const ctl = new AbortController()
    ctl.abort()
    await client.call(DisputeList, 'GET', '/disputes', { signal: ctl.signal }).catch(() => null)
    expect(answers.pending).toBe(2)
    answers.drop()
    expect(answers.pending).toBe(0)
    await client.call(DisputeList, 'GET', '/policy').catch(() => null)
    expect(later.asked).toEqual(['/lead/api/disputes', '/lead/api/policy'])
  })

  test('an early request that failed is a network error for the call that takes it', async () => {
    const answers = new EarlyAnswers(async () => Promise.reject(new TypeError('Failed to fetch')))
    answers.start([leadUrl('/disputes')])
    const err = await refusal(new LeadClient(counting().fetcher, answers).call(DisputeList, 'GET', '/disputes'))
    expect(err.code).toBe('network')
    expect(err.message).toMatch(/GET \/disputes.*Failed to fetch/)
  })
})
