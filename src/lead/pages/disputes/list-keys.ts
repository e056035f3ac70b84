/** ↓/J and ↑/K move through the list, Home/End to its ends; null: not a list key. */
export function moveSelection(key: string, current: number, count: number): number | null {
  if (count === 0) return null
  switch (key) {
    case 'ArrowDown':
    case 'j':
      return Math.min(count - 1, current + 1)
    case 'ArrowUp':
    case 'k':
      return Math.max(0, current - 1)
    case 'Home':
      return 0
    case 'End':
      return count - 1
    default:
      return null
  }
}
