// Form conventions: no double submit, one success toast, confirmation before destructive actions.
import { ref } from 'vue';
import { ElMessage, ElMessageBox } from 'element-plus';
import { i18n } from '@/i18n';

/** Asks for confirmation; resolves true when confirmed. */
export async function confirmAction(message, danger = false) {
  const t = i18n.global.t;
  try {
    await ElMessageBox.confirm(message, danger ? t('common.dangerTitle') : t('common.confirmTitle'), {
      type: danger ? 'error' : 'warning',
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: danger ? 'el-button--danger' : '',
      closeOnClickModal: false,
      customClass: 'np-confirm',
    });
    return true;
  } catch {
    return false;
  }
}

/** Shows the single success toast of an operation. */
export function toastSuccess(message) {
  ElMessage({ type: 'success', message: message || i18n.global.t('common.success'), grouping: true });
}

/**
 * Wraps an async action: `loading` is true while it runs and a second call meanwhile is ignored.
 * Errors are already shown by the API client; run() resolves undefined then.
 */
export function useSubmit(fn) {
  const loading = ref(false);
  async function run(...args) {
    if (loading.value) return undefined;
    loading.value = true;
    try {
      return await fn(...args);
    } catch (e) {
      if (e && !e.handled && !(e.name === 'AbortError')) console.error(e);
      return undefined;
    } finally {
      loading.value = false;
    }
  }
  return { loading, run };
}
