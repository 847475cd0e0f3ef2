// The policy catalogue (GET /api/v1/policies), loaded once and shared by the policy pages: policy
// names by code, criteria per policy, parameter definitions by name.
import { computed, ref } from 'vue';
import { catalogueApi } from '@/api/policy';

const data = ref(null);
const loading = ref(false);
let pending = null;

async function load(force = false) {
  if (data.value && !force) return data.value;
  if (pending && !force) return pending;
  loading.value = true;
  pending = catalogueApi.get()
    .then((r) => { data.value = r; return r; })
    .catch(() => null)
    .finally(() => { loading.value = false; pending = null; });
  return pending;
}

const byCode = computed(() => {
  const m = {};
  for (const p of (data.value && data.value.policies) || []) m[p.code] = p;
  return m;
});
const paramByName = computed(() => {
  const m = {};
  for (const p of (data.value && data.value.parameters) || []) m[p.name] = p;
  return m;
});

/** Criteria of a policy's version in force on a date (the last version when none matches). */
function criteriaOf(code, asOf) {
  const p = byCode.value[code];
  if (!p || !Array.isArray(p.versions) || !p.versions.length) return [];
  const v = p.versions.find((x) => (!asOf || (x.from <= asOf && (x.to === 'open' || !x.to || x.to >= asOf)))) || p.versions[p.versions.length - 1];
  return v.criteria || [];
}

export function usePolicyCatalogue() {
  return { data, loading, load, byCode, paramByName, criteriaOf };
}
