/**
 * RFC 4180, read strictly: records end in CRLF; a field is either plain (no comma, quote,
 * CR or LF) or quoted, with "" for a quote inside. Anything else throws, so a writer that
 * forgets to quote is caught here rather than read back loosely.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = []
  let i = 0
  while (i < text.length) {
    const record: string[] = []
    for (;;) {
      let field = ''
      if (text[i] === '"') {
        i++
        for (;;) {
          if (i >= text.length) throw new Error('unterminated quoted field')
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"'
              i += 2
            } else {
              i++
              break
            }
          } else field += text[i++]
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') throw new Error(`quote inside a plain field at ${i}`)
          field += text[i++]
        }
      }
      record.push(field)
      if (text[i] === ',') {
        i++
        continue
      }
      if (text.startsWith('\r\n', i)) {
        i += 2
        break
      }
      throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`)
    }
    records.push(record)
  }
  return records
}
