// Cursor pagination state (DECISIONS.md 5): a stack of cursors for previous/next, and the total.

/** Creates a pager: stack[0] = null (first page); stack[i] = cursor that fetched page i+1. */
export function createCursorState(limit = 20) {
  return { limit, stack: [null], next: null, total: 0 };
}

/** The cursor of the current page. */
export function currentCursor(s) {
  return s.stack[s.stack.length - 1];
}

/** 1-based page number. */
export function pageNumber(s) {
  return s.stack.length;
}

/** Moves to the next page; false when there is none. */
export function goNext(s) {
  if (!s.next) return false;
  s.stack.push(s.next);
  return true;
}

/** Moves to the previous page; false on the first page. */
export function goPrev(s) {
  if (s.stack.length <= 1) return false;
  s.stack.pop();
  return true;
}

/** Back to the first page (after a filter or page-size change). */
export function resetCursor(s, limit) {
  s.stack = [null];
  s.next = null;
  if (limit) s.limit = limit;
}

/** Records a list response {items, total, next_cursor}. */
export function applyPage(s, res) {
  s.next = (res && res.next_cursor) || null;
  s.total = res && Number.isFinite(res.total) ? res.total : 0;
}

export const PAGE_SIZES = [10, 20, 50, 100];
