/** Sorts anything with a log position into log order (positions are fixed-width hex: text order is log order). */
export const byLogPosition = (a: { position: string }, b: { position: string }): number =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
