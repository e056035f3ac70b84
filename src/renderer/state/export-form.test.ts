import { expect, test } from 'vitest'
import { defaultExportPath } from './export-form'

const at = new Date(2026, 10, 29, 9, 5)

test('exports go to the profile\'s exports folder, named by kind and minute, with the data dir\'s separator', () => {
  expect(defaultExportPath('/home/rani/.local/share/tinjau', 'pack', at)).toBe('/home/rani/.local/share/tinjau/exports/decision-pack-2026-11-29-0905.zip')
  expect(defaultExportPath('/data/', 'dsa', at)).toBe('/data/exports/dsa-statements-2026-11-29-0905')
  expect(defaultExportPath('C:\\Users\\rani\\AppData\\Roaming\\Tinjau', 'csv', at)).toBe('C:\\Users\\rani\\AppData\\Roaming\\Tinjau\\exports\\decisions-2026-11-29-0905.csv')
})
