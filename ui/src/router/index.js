// Routes: the public login page, the two forced steps (password change, TOTP enrolment) outside the
// layout, and every menu page (src/menu.js) inside it. The guard loads /me once and sends the user
// where the server's state requires.
import { createRouter, createWebHistory } from 'vue-router';
import { ElMessage } from 'element-plus';
import { MENU, menuLeaves, roleFits } from '@/menu';
import { PUBLIC_PAGES } from '@/menu';
import { useAuth } from '@/stores/auth';
import { setApiHooks } from '@/api/client';
import { i18n } from '@/i18n';
import MainLayout from '@/layouts/MainLayout.vue';

const pages = menuLeaves(MENU).map((e) => ({
  path: e.path === '/' ? '' : e.path.replace(/^\//, ''),
  name: e.name,
  component: e.component,
  meta: { title: e.title, perm: e.perm, roles: e.roles, only: e.only, except: e.except, watermark: !!e.watermark },
}));

const routes = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  ...PUBLIC_PAGES.map((e) => ({ path: e.path, name: e.name, component: e.component, meta: { public: true, title: e.title } })),
  { path: '/password/change', name: 'password-change', component: () => import('@/views/ChangePasswordView.vue'), meta: { bare: true, title: 'password.forcedTitle' } },
  { path: '/mfa/enrol', name: 'mfa-enrol', component: () => import('@/views/TotpEnrolView.vue'), meta: { bare: true, title: 'totp.title' } },
  {
    path: '/',
    component: MainLayout,
    children: [
      ...pages,
      { path: 'forbidden', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: 'forbidden.title' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: 'notFound.title' } },
    ],
  },
];

const router = createRouter({ history: createWebHistory('/'), routes });

/** A redirect target is only ever a local path ("/x", never "//host" or "http:"). */
export function safeRedirect(v) {
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return '/';
  if (v.startsWith('/login')) return '/';
  return v;
}

/** Where to go after sign-in or a completed forced step. */
export function nextAfterAuth(auth, redirect) {
  if (auth.mustChangePassword) return { name: 'password-change', query: redirect ? { redirect } : {} };
  if (auth.mfaEnrolmentRequired) return { name: 'mfa-enrol', query: redirect ? { redirect } : {} };
  return safeRedirect(redirect || '/');
}

router.beforeEach(async (to) => {
  const auth = useAuth();
  if (!auth.loaded) await auth.fetchMe();
  if (to.meta.public) {
    if (auth.signedIn && to.name === 'login' && !auth.mustChangePassword && !auth.mfaEnrolmentRequired) {
      return safeRedirect(to.query.redirect);
    }
    return true;
  }
  if (!auth.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : undefined;
  if (auth.mustChangePassword) {
    return to.name === 'password-change' ? true : { name: 'password-change', query: { redirect: redirect || to.fullPath } };
  }
  if (auth.mfaEnrolmentRequired) {
    return to.name === 'mfa-enrol' ? true : { name: 'mfa-enrol', query: { redirect: redirect || to.fullPath } };
  }
  if (to.name === 'password-change' || to.name === 'mfa-enrol') return safeRedirect(redirect || '/');
  if ((to.meta.perm || to.meta.roles) && !auth.can(to.meta.perm, to.meta.roles)) return { name: 'forbidden' };
  if (!roleFits(to.meta, auth.role)) return { name: 'forbidden' };
  return true;
});

router.afterEach((to) => {
  const t = i18n.global.t;
  document.title = to.meta.title ? `${t(to.meta.title)} - ${t('app.name')}` : t('app.name');
});

// The API client asks the router to move when the server says so.
let expiredShown = 0;
setApiHooks({
  unauthorized() {
    const auth = useAuth();
    const wasSignedIn = auth.signedIn;
    auth.clear();
    const cur = router.currentRoute.value;
    if (cur.meta.public) return;
    if (wasSignedIn && Date.now() - expiredShown > 3000) {
      expiredShown = Date.now();
      ElMessage({ type: 'warning', message: i18n.global.t('login.sessionExpired'), grouping: true });
    }
    router.replace({ name: 'login', query: cur.fullPath && cur.fullPath !== '/' ? { redirect: cur.fullPath } : {} });
  },
  async passwordChangeRequired() {
    const auth = useAuth();
    if (auth.user) auth.user.must_change_password = true;
    const cur = router.currentRoute.value;
    if (cur.name !== 'password-change') router.replace({ name: 'password-change', query: { redirect: cur.fullPath } });
  },
  async mfaEnrolmentRequired() {
    const auth = useAuth();
    if (auth.user) auth.user.mfa_enrolment_required = true;
    const cur = router.currentRoute.value;
    if (cur.name !== 'mfa-enrol') router.replace({ name: 'mfa-enrol', query: { redirect: cur.fullPath } });
  },
});

export default router;
