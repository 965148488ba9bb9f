/**
 * What the dashboard bench runs inside the page (Playwright serialises these
 * functions, so each is self-contained). The CLI is compiled without the DOM
 * library: the few browser members used are typed here.
 */

interface Box {
  top: number;
  bottom: number;
}
interface PageElement {
  textContent: string | null;
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
  getBoundingClientRect(): Box;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageWindow {
  document: PageElement;
  requestAnimationFrame(callback: (now: number) => void): number;
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: object): void; disconnect(): void };
  performance: {
    now(): number;
    setResourceTimingBufferSize(size: number): void;
    getEntriesByType(type: string): { name: string; duration: number; startTime: number }[];
  };
  crhFirstRow?: Promise<number>;
}

/**
 * Added before the page's own scripts: resolves with the time since
 * navigation start of the first frame after a loaded row of `selector`
 * entered the document (the frame that paints it).
 */
export function watchFirstRow(selector: string): void {
  const page = globalThis as unknown as PageWindow;
  page.performance.setResourceTimingBufferSize(100_000);
  page.crhFirstRow = new Promise((resolve) => {
    const seen = () => page.document.querySelector(selector) !== null;
    const observer = new page.MutationObserver(() => {
      if (!seen()) return;
      observer.disconnect();
      page.requestAnimationFrame(() => resolve(page.performance.now()));
    });
    observer.observe(page.document, { childList: true, subtree: true });
  });
}

export const firstRowAt = (): Promise<number> => (globalThis as unknown as PageWindow).crhFirstRow!;

export interface ScrollRun {
  rows: number;
  ms: number;
  /** Every requestAnimationFrame delta while scrolling, ms. */
  frames: number[];
  /** Each wait with rows in view still loading, ms (the scroll holds still meanwhile). */
  stalls: number[];
  /** Each /graphql request made while scrolling, ms from sent to answered. */
  requests: number[];
  reachedLastRow: boolean;
}

/**
 * Scrolls the list in `listSelector` from top to bottom, `stepPx` per frame
 * (a fast fling), holding still while any row in view shows its placeholder
 * (its page not loaded yet), as a reader would have to. Every frame's delta
 * is kept; a frame over 50 ms is a dropped one a reader sees.
 */
export async function scrollToBottom(args: {
  listSelector: string;
  stepPx: number;
  limitMs: number;
}): Promise<ScrollRun> {
  const page = globalThis as unknown as PageWindow;
  const section = page.document.querySelector(args.listSelector);
  const list = section?.querySelector('section.virtual');
  if (!section || !list) throw new Error(`no list ${args.listSelector}`);
  const rows = Number(section.querySelector('.count')?.textContent ?? Number.NaN);
  const requestsBefore = page.performance.getEntriesByType('resource').length;
  const frames: number[] = [];
  const stalls: number[] = [];
  const started = page.performance.now();
  let last = started;
  let stallStart: number | null = null;
  const lastRowLoaded = () => list.querySelector(`li[aria-posinset="${rows}"] .line`) !== null;
  const waiting = () => {
    const view = list.getBoundingClientRect();
    for (const row of list.querySelectorAll('li.virtual-row')) {
      const box = row.getBoundingClientRect();
      if (box.bottom > view.top && box.top < view.bottom && row.querySelector('.placeholder')) return true;
    }
    return false;
  };
  const ms = await new Promise<number>((resolve, reject) => {
    const tick = (now: number) => {
      frames.push(now - last);
      last = now;
      if (waiting()) {
        stallStart ??= now;
      } else {
        if (stallStart !== null) stalls.push(now - stallStart);
        stallStart = null;
        if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1 && lastRowLoaded())
          return resolve(now - started);
        list.scrollTop += args.stepPx;
      }
      if (now - started > args.limitMs) {
        return reject(
          new Error(
            `not at the bottom after ${args.limitMs} ms (at ${list.scrollTop} of ${list.scrollHeight} px)`,
          ),
        );
      }
      page.requestAnimationFrame(tick);
    };
    page.requestAnimationFrame(tick);
  });
  const requests = page.performance
    .getEntriesByType('resource')
    .slice(requestsBefore)
    // urql sends queries as GET /graphql?operationName=…
    .filter((e) => /\/graphql(\?|$)/.test(e.name))
    .map((e) => e.duration);
  // The first delta is from the call, not from a frame.
  return { rows, ms, frames: frames.slice(1), stalls, requests, reachedLastRow: lastRowLoaded() };
}
