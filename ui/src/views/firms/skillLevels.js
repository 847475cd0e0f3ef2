// Skill levels 1–8 (GET /ref/skill-levels), loaded once per page load.
import { ref } from 'vue';
import { firmsRefApi } from '@/api/firms';
import { currentLocale } from '@/i18n';

const levels = ref([]);
let loading = null;

export function useSkillLevels() {
  if (!levels.value.length && !loading) {
    loading = firmsRefApi.skillLevels()
      .then((r) => { levels.value = (r && r.items) || []; })
      .catch(() => { levels.value = []; })
      .finally(() => { loading = null; });
  }
  return levels;
}

/** Label of a rank in the current language ("4 高级工"). */
export function skillLabel(rank, fallbackName) {
  if (rank === null || rank === undefined) return '';
  const it = levels.value.find((l) => l.rank === rank);
  const name = it ? (currentLocale() === 'en' ? it.name_en || it.name : it.name) : fallbackName || '';
  return `${rank} ${name}`.trim();
}
