// The signed-in user (GET /api/v1/me): role, jurisdiction, permissions and the security settings
// every page needs (the demo-mode banner).
import { defineStore } from 'pinia';
import { sessionApi } from '@/api';

export const useAuth = defineStore('auth', {
  state: () => ({
    user: null,        // User object + permissions + settings, null when signed out
    loaded: false,     // /me has been asked once
  }),
  getters: {
    signedIn: (s) => !!s.user,
    role: (s) => (s.user && s.user.role) || '',
    permissions: (s) => (s.user && Array.isArray(s.user.permissions) ? s.user.permissions : []),
    mfaEnforced: (s) => !(s.user && s.user.settings && s.user.settings.mfa_enforced === false),
    mustChangePassword: (s) => !!(s.user && s.user.must_change_password),
    mfaEnrolmentRequired: (s) => !!(s.user && s.user.mfa_enrolment_required),
  },
  actions: {
    /**
     * May the user do this? `perm` is one permission or a list (any of them), checked against the
     * server's /me permissions. `roles` is consulted only when the server sent no permission list
     * (an older server). An entry without either is open to every signed-in user.
     */
    can(perm, roles) {
      if (!this.user) return false;
      const perms = perm ? (Array.isArray(perm) ? perm : [perm]) : [];
      if (!perms.length && !(roles && roles.length)) return true;
      if (perms.some((p) => this.permissions.includes(p))) return true;
      if (this.permissions.length && perms.length) return false;
      return !!(roles && roles.includes(this.role));
    },
    /** Loads /me; a 401 means signed out (no redirect, no message). */
    async fetchMe() {
      try {
        this.user = await sessionApi.me({ silent: true, noRedirect: true });
      } catch (e) {
        if (e && (e.status === 401 || e.status === 403)) this.user = null;
        else if (!this.loaded) this.user = null;
        else throw e;
      } finally {
        this.loaded = true;
      }
      return this.user;
    },
    /** Signs in; resolves with the user, rejects with ApiError (mfa_required, invalid_credentials …). */
    async login(username, password, totp) {
      const res = await sessionApi.login(username, password, totp);
      this.user = res && res.user ? { ...res.user } : null;
      await this.fetchMe();
      return this.user;
    },
    async logout() {
      try { await sessionApi.logout(); } catch { /* the session may be gone already */ }
      this.clear();
    },
    clear() {
      this.user = null;
      this.loaded = true;
    },
  },
});
