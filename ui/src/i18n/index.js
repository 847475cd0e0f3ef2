// vue-i18n (Composition API mode). zh-CN first, English second; the choice is kept in localStorage.
import { createI18n } from 'vue-i18n';
import zhCN from './zh-CN';
import en from './en';
import matchZh from './match.zh-CN';
import matchEn from './match.en';
import firmsZh from './firms.zh-CN';
import firmsEn from './firms.en';
import policyZh from './policy.zh-CN';
import policyEn from './policy.en';

/** Adds a page group's messages (own top-level keys, plus entries of shared groups such as menu). */
function withPages(base, extra) {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) out[k] = out[k] && typeof v === 'object' ? { ...out[k], ...v } : v;
  return out;
}

const KEY = 'np.locale';
export const LOCALES = ['zh-CN', 'en'];

function initialLocale() {
  try {
    const saved = localStorage.getItem(KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch { /* storage unavailable */ }
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': withPages({ ...zhCN, match: matchZh, policy: policyZh }, firmsZh), en: withPages({ ...en, match: matchEn, policy: policyEn }, firmsEn) },
  missingWarn: false,
  fallbackWarn: false,
});

/** Switches the language (persisted; also sets <html lang>). */
export function setLocale(l) {
  if (!LOCALES.includes(l)) return;
  i18n.global.locale.value = l;
  try { localStorage.setItem(KEY, l); } catch { /* ignore */ }
  document.documentElement.setAttribute('lang', l);
}

/** The current locale. */
export function currentLocale() {
  return i18n.global.locale.value;
}

/** Label of a dictionary item in the current language. */
export function dictLabel(item) {
  if (!item) return '';
  const en = currentLocale() === 'en';
  return (en ? item.label_en || item.label_zh : item.label_zh || item.label_en) || item.label || String(item.value);
}

/** Label of an audit action ("login.success" → 登录成功); the raw action when unknown. */
export function auditActionLabel(a) {
  const k = `audit.actions.${String(a || '').replace(/\./g, '_')}`;
  return i18n.global.te(k) ? i18n.global.t(k) : (a || '');
}
