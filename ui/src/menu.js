// The console's pages and menu in ONE data-driven list. Each leaf is a route and a menu entry:
//   { path, name, title (i18n key), icon (Element Plus icon name), perm (one or a list, any of),
//     roles (fallback role list), watermark (page shows personal data), component, hidden }
// A group is { key, title, icon, children: [...] }; it shows when any child is allowed.
// Adding a page is one line in the right group (see docs/UI.md).

export const MENU = [
  { path: '/', name: 'dashboard', title: 'menu.dashboard', icon: 'HomeFilled', component: () => import('@/views/DashboardView.vue') },
  {
    key: 'system', title: 'menu.system', icon: 'Setting',
    children: [
      { path: '/system/users', name: 'users', title: 'menu.users', icon: 'User', perm: ['user.manage', 'account.lock'], roles: ['sys_admin', 'security_admin'], watermark: true, component: () => import('@/views/system/UsersView.vue') },
      { path: '/system/online', name: 'online', title: 'menu.online', icon: 'Connection', perm: 'session.manage', roles: ['sys_admin', 'security_admin'], watermark: true, component: () => import('@/views/system/OnlineUsersView.vue') },
      { path: '/system/security', name: 'security', title: 'menu.security', icon: 'Lock', perm: 'security.manage', roles: ['security_admin'], component: () => import('@/views/system/SecuritySettingsView.vue') },
    ],
  },
  {
    key: 'audit', title: 'menu.audit', icon: 'Document',
    children: [
      { path: '/audit/operations', name: 'audit-operations', title: 'menu.operations', icon: 'Tickets', perm: 'audit.read', roles: ['auditor'], watermark: true, component: () => import('@/views/audit/OperationLogView.vue') },
      { path: '/audit/logins', name: 'audit-logins', title: 'menu.logins', icon: 'Key', perm: 'audit.read', roles: ['auditor'], watermark: true, component: () => import('@/views/audit/LoginLogView.vue') },
    ],
  },
  { path: '/account', name: 'account', title: 'menu.account', icon: 'Avatar', watermark: true, component: () => import('@/views/AccountView.vue') },
];

/** Every leaf entry (page) of the menu, groups flattened. */
export function menuLeaves(list = MENU) {
  const out = [];
  for (const e of list) {
    if (e.children) out.push(...menuLeaves(e.children));
    else out.push(e);
  }
  return out;
}

/** The menu as the user sees it: entries they may open, empty groups dropped. */
export function visibleMenu(can, list = MENU) {
  const out = [];
  for (const e of list) {
    if (e.hidden) continue;
    if (e.children) {
      const kids = visibleMenu(can, e.children);
      if (kids.length) out.push({ ...e, children: kids });
    } else if (can(e.perm, e.roles)) {
      out.push(e);
    }
  }
  return out;
}
