import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  label: string;
  /** All rows there are (loaded or not): the scroll height is theirs from the start. */
  total: number;
  rows: T[];
  rowHeight: number;
  /** Visible height in pixels. */
  height: number;
  /** Asked when the rows near the end of those loaded come into view. */
  loadMore?: () => void;
  row: (item: T, index: number) => ComponentChildren;
  rowKey: (item: T) => string;
}

/**
 * A list that renders only the rows in view (TanStack Virtual's framework-free
 * core; its adapters are for React, this is the same few lines for Preact),
 * so 100,000 relationships scroll as smoothly as 10.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const scroller = useRef<HTMLElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLElement, Element>({
        count: props.total,
        getScrollElement: () => scroller.current,
        estimateSize: () => props.rowHeight,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        overscan: 8,
        onChange: () => rerender(undefined as never),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count: props.total });
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (props.loadMore && last >= props.rows.length - 20 && props.rows.length < props.total) props.loadMore();
  }, [last, props.rows.length, props.total]);
  return (
    <section class="virtual" ref={scroller} style={{ height: `${props.height}px` }} aria-label={props.label}>
      <ul class="virtual-rows" style={{ height: `${virtualizer.getTotalSize()}px` }} aria-label={props.label}>
        {items.map((item) => {
          const value = props.rows[item.index];
          return (
            <li
              key={value ? props.rowKey(value) : `loading-${item.index}`}
              class="virtual-row"
              style={{ transform: `translateY(${item.start}px)`, height: `${props.rowHeight}px` }}
              aria-setsize={props.total}
              aria-posinset={item.index + 1}
            >
              {value ? props.row(value, item.index) : <span class="placeholder">Loading …</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
