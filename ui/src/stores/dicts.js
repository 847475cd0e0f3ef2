// Dictionaries (GET /api/v1/dicts, public): value → label_zh/label_en + tag colour. The server builds
// them from the value tables its validators use (the firms ones in src/firms/dicts.c); the account
// dictionaries below are fallbacks that keep the sign-in pages readable before the first answer.
import { defineStore } from 'pinia';
import { refApi } from '@/api';
import { dictLabel } from '@/i18n';

const FALLBACK = {
  roles: [
    { value: 'sys_admin', label_zh: '系统管理员', label_en: 'System administrator', tag: 'danger' },
    { value: 'security_admin', label_zh: '安全管理员', label_en: 'Security administrator', tag: 'danger' },
    { value: 'auditor', label_zh: '审计员', label_en: 'Auditor', tag: 'warning' },
    { value: 'province_staff', label_zh: '省人社厅', label_en: 'Provincial bureau', tag: 'primary' },
    { value: 'city_staff', label_zh: '市人社局', label_en: 'City bureau', tag: 'primary' },
    { value: 'county_staff', label_zh: '县级人社局', label_en: 'County bureau', tag: 'success' },
    { value: 'specialist', label_zh: '用工服务专员', label_en: 'Service specialist', tag: 'success' },
    { value: 'enterprise', label_zh: '企业', label_en: 'Enterprise', tag: 'info' },
    { value: 'bank', label_zh: '合作银行', label_en: 'Partner bank', tag: 'info' },
    { value: 'seeker', label_zh: '求职者', label_en: 'Job seeker', tag: 'info' },
  ],
  user_status: [
    { value: 'active', label_zh: '正常', label_en: 'Active', tag: 'success' },
    { value: 'locked', label_zh: '锁定', label_en: 'Locked', tag: 'warning' },
    { value: 'disabled', label_zh: '停用', label_en: 'Disabled', tag: 'info' },
  ],
  audit_outcome: [
    { value: 'success', label_zh: '成功', label_en: 'Success', tag: 'success' },
    { value: 'failure', label_zh: '失败', label_en: 'Failure', tag: 'danger' },
    { value: 'denied', label_zh: '拒绝', label_en: 'Denied', tag: 'warning' },
  ],
};

// Which roles carry which jurisdiction (docs/API-ACCOUNTS.md) and which need a second factor.
export const ROLE_JURISDICTION = {
  province_staff: 'region', city_staff: 'region', county_staff: 'region', specialist: 'region',
  enterprise: 'enterprise', bank: 'bank',
};
export const MFA_ROLES = ['sys_admin', 'security_admin', 'auditor', 'province_staff', 'city_staff', 'county_staff'];

export const useDicts = defineStore('dicts', {
  state: () => ({ dicts: { ...FALLBACK }, loaded: false, loading: null }),
  actions: {
    /** Loads the dictionaries once (concurrent callers share the request). */
    load() {
      if (this.loaded) return Promise.resolve(this.dicts);
      if (!this.loading) {
        this.loading = refApi.dicts()
          .then((d) => {
            if (d && typeof d === 'object') {
              for (const [k, v] of Object.entries(d)) if (Array.isArray(v) && v.length) this.dicts[k] = v;
            }
            this.loaded = true;
            return this.dicts;
          })
          .catch(() => this.dicts)
          .finally(() => { this.loading = null; });
      }
      return this.loading;
    },
    items(name) {
      return this.dicts[name] || [];
    },
    item(name, value) {
      return this.items(name).find((i) => String(i.value) === String(value));
    },
    label(name, value) {
      const it = this.item(name, value);
      return it ? dictLabel(it) : (value ?? '');
    },
  },
});
