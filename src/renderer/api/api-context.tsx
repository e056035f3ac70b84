import { createContext, useContext } from 'react'
import type { TinjauApi } from '../../shared/contract'

export const ApiContext = createContext<TinjauApi | null>(null)

export function useApi(): TinjauApi {
  const api = useContext(ApiContext)
  if (!api) throw new Error('useApi outside ApiContext')
  return api
}
