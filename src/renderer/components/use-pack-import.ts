import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { PackKind } from '../../shared/bridge'
import type { TinjauApi } from '../../shared/contract'
import type { ImportSummary } from '../../shared/domain'
import type { HashListImportResult } from '../../shared/hash-lists'
import { toApiError } from '../api/api-error'
import { IDLE, isRunning, newImportId, packName, withProgress, type PackImport } from '../state/pack-import'

/**
 * Importing a field pack from the UI: by the host's own dialog (Electron), a zip chosen in
 * the page, a path typed in, or a folder or zip dropped anywhere on the window. One import
 * at a time; it can be cancelled, and the dialog closed and opened again meanwhile. A hash
 * list file given any of these ways is recognised by its contents and imported as a list.
 */
export function usePackImport(api: TinjauApi, onImported: (summary: ImportSummary | HashListImportResult) => void) {
  const { t } = useTranslation()
  const [state, setState] = useState<PackImport>(IDLE)
  const [open, setOpen] = useState(false)
  const [dragging, setDragging] = useState(false)
  const uploading = useRef<AbortController | null>(null)
  const running = isRunning(state)
  const busy = useRef(false)
  busy.current = running

  useEffect(() => api.on('pack.importProgress', (p) => setState((s) => withProgress(s, p))), [api])

  const importPath = useCallback(
    async (path: string, name = packName(path)) => {
      const importId = newImportId()
      setState({ kind: 'importing', importId, name, progress: null, cancelling: false })
      try {
        // A hash list is told by its contents, whatever the file is called.
        if ((await api.call('file.kind', { path })).kind === 'hashlist') {
          const result = await api.call('hashlist.import', { path })
          setState({ kind: 'listDone', name, result })
          onImported(result)
          return
        }
        const summary = await api.call('pack.import', { path, importId })
        setState({ kind: 'done', name, summary })
        onImported(summary)
      } catch (err) {
        setState({ kind: 'failed', name, error: toApiError(err) })
      }
    },
    [api, onImported],
  )

  const importFile = useCallback(
    async (file: File) => {
      const local = api.packs.pathOf?.(file)
      if (local) return importPath(local, file.name)
      const refuse = (message: string) => setState({ kind: 'failed', name: file.name, error: { code: 'invalid_input', message } })
      if (!api.packs.upload) return refuse(t('packImport.noFiles'))
      // A dropped folder reaches the page as an entry without bytes: the browser cannot send it.
      if (!file.name.toLowerCase().endsWith('.zip')) return refuse(t('packImport.zipOnly', { name: file.name }))
      const controller = new AbortController()
      uploading.current = controller
      setState({ kind: 'uploading', name: file.name, sent: 0, total: file.size, cancelling: false })
      let path: string
      try {
        path = await api.packs.upload(file, (sent, total) => setState((s) => (s.kind === 'uploading' ? { ...s, sent, total } : s)), controller.signal)
      } catch (err) {
        setState({ kind: 'failed', name: file.name, error: toApiError(err) })
        return
      } finally {
        uploading.current = null
      }
      await importPath(path, file.name)
    },
    [api, importPath, t],
  )

  const pick = useCallback(
    async (kind: PackKind) => {
      const chosen = await api.packs.pick?.(kind)
      if (chosen) await importPath(chosen)
    },
    [api, importPath],
  )

  const cancel = useCallback(() => {
    if (state.kind === 'uploading') {
      setState({ ...state, cancelling: true })
      uploading.current?.abort()
    } else if (state.kind === 'importing') {
      setState({ ...state, cancelling: true })
      api.call('pack.cancelImport', { importId: state.importId }).catch(() => {})
    }
  }, [api, state])

  // Dropping anywhere on the window: the dialog opens with that pack under way.
  useEffect(() => {
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      if (e.dataTransfer) e.dataTransfer.dropEffect = busy.current ? 'none' : 'copy'
      setDragging(true)
    }
    const leave = (e: DragEvent) => {
      // Leaving the window (no element to go to), not moving between its elements.
      if (e.relatedTarget === null) setDragging(false)
    }
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return
      e.preventDefault()
      setDragging(false)
      const file = e.dataTransfer?.files[0]
      if (!file || busy.current) return
      setOpen(true)
      void importFile(file)
    }
    window.addEventListener('dragover', over)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragover', over)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [importFile])

  return {
    state,
    running,
    open,
    dragging,
    show: () => setOpen(true),
    hide: () => {
      setOpen(false)
      // A finished import's outcome is not shown again next time.
      setState((s) => (isRunning(s) ? s : IDLE))
    },
    importPath,
    importFile,
    pick: api.packs.pick ? pick : null,
    canUpload: api.packs.upload !== undefined,
    cancel,
  }
}

export type PackImportControl = ReturnType<typeof usePackImport>
