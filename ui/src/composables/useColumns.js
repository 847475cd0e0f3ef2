// Column show/hide remembered per user on the server: GET/PUT /api/v1/me/preferences/columns.<page>
// with value {"hidden":["prop",…]} (hidden rather than shown, so new columns appear by default).
import { ref, watch } from 'vue';
import { sessionApi } from '@/api';

export function useColumns(page, defaultsHidden = []) {
  const key = `columns.${page}`;
  const hidden = ref([...defaultsHidden]);
  let loaded = false;
  let timer = null;

  sessionApi.getPref(key)
    .then((res) => {
      const v = res && res.value;
      if (v && Array.isArray(v.hidden)) hidden.value = v.hidden.filter((x) => typeof x === 'string');
    })
    .catch(() => { /* none saved yet (404) or not available: keep defaults */ })
    .finally(() => { loaded = true; });

  watch(hidden, (v) => {
    if (!loaded) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      sessionApi.putPref(key, { hidden: v }).catch(() => { /* preference not saved: harmless */ });
    }, 400);
  });

  const visible = (prop) => !hidden.value.includes(prop);
  return { hidden, visible };
}
