import pg from 'pg'

/** Helpers the PostgreSQL benches share (bench:lead and push-cost). */

/** The same server's URL with another database name. */
export function dbUrl(baseUrl: string, name: string): string {
  const u = new URL(baseUrl)
  u.pathname = `/${name}`
  return u.toString()
}

/** One connection for `fn`, closed afterwards whatever happens. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}
