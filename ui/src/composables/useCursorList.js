// A cursor-paginated list: filters → GET with limit/cursor → items/total, with prev/next via a
// stack of cursors (utils/cursor.js). fetcher(query) must resolve {items, total, next_cursor}.
import { reactive, ref, computed } from 'vue';
import { createCursorState, currentCursor, goNext, goPrev, resetCursor, applyPage, pageNumber } from '@/utils/cursor';

export function useCursorList(fetcher, { filters, limit = 20, transform } = {}) {
  const state = reactive(createCursorState(limit));
  const items = ref([]);
  const loading = ref(false);
  let seq = 0;

  /** The current filters without empty values (also what export uses). */
  function query() {
    const q = {};
    const f = typeof filters === 'function' ? filters() : (filters || {});
    for (const [k, v] of Object.entries(f)) if (v !== '' && v !== null && v !== undefined) q[k] = v;
    return q;
  }

  async function load() {
    const my = ++seq;
    loading.value = true;
    try {
      const q = { ...query(), limit: state.limit };
      const c = currentCursor(state);
      if (c) q.cursor = c;
      const res = await fetcher(q);
      if (my !== seq) return;
      applyPage(state, res);
      const list = (res && Array.isArray(res.items)) ? res.items : [];
      items.value = transform ? list.map(transform) : list;
    } catch {
      if (my === seq) items.value = [];
    } finally {
      if (my === seq) loading.value = false;
    }
  }

  function search() { resetCursor(state); return load(); }
  function next() { if (goNext(state)) return load(); return undefined; }
  function prev() { if (goPrev(state)) return load(); return undefined; }
  function setLimit(n) { resetCursor(state, n); return load(); }

  return {
    items, loading, state, query, load, search, next, prev, setLimit,
    page: computed(() => pageNumber(state)),
    total: computed(() => state.total),
    hasNext: computed(() => !!state.next),
  };
}
