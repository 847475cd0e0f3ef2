// A user's jurisdiction (数据权限) as text: region name, enterprise or bank.
import { i18n } from '@/i18n';

/** "历下区" / "企业 12" / "工商银行济南分行" / "" */
export function jurisdictionText(u) {
  if (!u) return '';
  const t = i18n.global.t;
  if (u.region_code) return u.region_name || u.region_code;
  if (u.enterprise_id !== null && u.enterprise_id !== undefined && u.enterprise_id !== '') {
    return u.enterprise_name || t('juris.enterpriseN', { id: u.enterprise_id });
  }
  if (u.bank) return u.bank;
  return '';
}

/** Which kind of jurisdiction the user has: 'region' | 'enterprise' | 'bank' | ''. */
export function jurisdictionKind(u) {
  if (!u) return '';
  if (u.region_code) return 'region';
  if (u.enterprise_id !== null && u.enterprise_id !== undefined && u.enterprise_id !== '') return 'enterprise';
  if (u.bank) return 'bank';
  return '';
}
