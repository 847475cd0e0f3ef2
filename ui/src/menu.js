// The console's pages and menu in ONE data-driven list. Each leaf is a route and a menu entry:
//   { path, name, title (i18n key), icon (Element Plus icon name), perm (one or a list, any of),
//     roles (fallback role list), watermark (page shows personal data), component, hidden,
//     only / except (role lists: a hard filter beside the permission, e.g. "my enterprises" only for
//     specialists, whose permissions staff share) }
// A group is { key, title, icon, children: [...] }; it shows when any child is allowed.
// Adding a page is one line in the right group (see docs/UI.md).

export const MENU = [
  { path: '/', name: 'dashboard', title: 'menu.dashboard', icon: 'HomeFilled', component: () => import('@/views/DashboardView.vue') },
  {
    key: 'firms', title: 'menu.firms', icon: 'OfficeBuilding',
    children: [
      { path: '/firms/enterprises', name: 'enterprises', title: 'menu.enterprises', icon: 'OfficeBuilding', perm: 'enterprise.read', watermark: true, component: () => import('@/views/firms/EnterprisesView.vue') },
      { path: '/firms/enterprises/:id', name: 'enterprise-detail', title: 'menu.enterpriseDetail', icon: 'OfficeBuilding', perm: 'enterprise.read', hidden: true, watermark: true, component: () => import('@/views/firms/EnterpriseDetailView.vue') },
      { path: '/firms/my-enterprises', name: 'my-enterprises', title: 'menu.myEnterprises', icon: 'Suitcase', perm: 'enterprise.read', only: ['specialist'], component: () => import('@/views/firms/MyEnterprisesView.vue') },
      { path: '/firms/demands', name: 'demands', title: 'menu.demands', icon: 'List', perm: 'demand.read', except: ['enterprise'], component: () => import('@/views/firms/DemandsView.vue') },
      { path: '/firms/my-demands', name: 'my-demands', title: 'menu.myDemands', icon: 'List', perm: 'demand.read', only: ['enterprise'], component: () => import('@/views/firms/MyDemandsView.vue') },
      { path: '/firms/shortage', name: 'shortage', title: 'menu.shortage', icon: 'Histogram', perm: 'demand.read', except: ['enterprise'], component: () => import('@/views/firms/ShortageView.vue') },
      { path: '/firms/alerts', name: 'alerts', title: 'menu.alerts', icon: 'Bell', perm: 'alert.read', component: () => import('@/views/firms/AlertsView.vue') },
      { path: '/firms/alert-report', name: 'alert-report', title: 'menu.alertReport', icon: 'DataAnalysis', perm: 'alert.read', component: () => import('@/views/firms/AlertReportView.vue') },
      { path: '/firms/alert-rules', name: 'alert-rules', title: 'menu.alertRules', icon: 'SetUp', perm: 'alert.read', except: ['specialist'], component: () => import('@/views/firms/AlertRulesView.vue') },
      { path: '/firms/teams', name: 'teams', title: 'menu.teams', icon: 'UserFilled', perm: 'team.read', watermark: true, component: () => import('@/views/firms/TeamsView.vue') },
      { path: '/firms/specialists', name: 'specialists', title: 'menu.specialists', icon: 'Avatar', perm: 'specialist.read', watermark: true, component: () => import('@/views/firms/SpecialistsView.vue') },
      { path: '/firms/grid', name: 'grid', title: 'menu.grid', icon: 'Grid', perm: 'grid.read', watermark: true, component: () => import('@/views/firms/GridView.vue') },
      { path: '/firms/coverage', name: 'coverage', title: 'menu.coverage', icon: 'PieChart', perm: 'specialist.read', component: () => import('@/views/firms/CoverageView.vue') },
      { path: '/firms/projects', name: 'projects', title: 'menu.projects', icon: 'Promotion', perm: 'project.read', component: () => import('@/views/firms/ProjectsView.vue') },
      { path: '/firms/zones', name: 'zones', title: 'menu.zones', icon: 'MapLocation', perm: 'zone.read', component: () => import('@/views/firms/ZonesView.vue') },
    ],
  },
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
  {
    key: 'match', title: 'match.menu.group', icon: 'Connection',
    children: [
      { path: '/match/seekers', name: 'match-seekers', title: 'match.menu.seekers', icon: 'User', perm: 'seeker.read', except: ['seeker'], watermark: true, component: () => import('@/views/match/SeekersView.vue') },
      { path: '/match/seekers/:id', name: 'match-seeker-detail', title: 'match.menu.seekerDetail', icon: 'User', perm: 'seeker.read', hidden: true, watermark: true, component: () => import('@/views/match/SeekerDetailView.vue') },
      { path: '/match/candidates', name: 'match-candidates', title: 'match.menu.candidates', icon: 'Aim', perm: 'match.read', except: ['seeker'], watermark: true, component: () => import('@/views/match/CandidatesView.vue') },
      { path: '/match/referrals', name: 'match-referrals', title: 'match.menu.referrals', icon: 'Guide', perm: 'referral.read', watermark: true, component: () => import('@/views/match/ReferralsView.vue') },
      { path: '/match/batches', name: 'match-batches', title: 'match.menu.batches', icon: 'Van', perm: 'batch.run', watermark: true, component: () => import('@/views/match/BatchesView.vue') },
      { path: '/match/sharing', name: 'match-sharing', title: 'match.menu.sharing', icon: 'Switch', perm: 'sharing.read', component: () => import('@/views/match/SharingView.vue') },
      { path: '/match/settings', name: 'match-settings', title: 'match.menu.settings', icon: 'Setting', perm: 'match.config', component: () => import('@/views/match/MatchSettingsView.vue') },
      { path: '/match/partner-keys', name: 'match-partner-keys', title: 'match.menu.partnerKeys', icon: 'Key', perm: 'apikey.manage', component: () => import('@/views/match/PartnerKeysView.vue') },
    ],
  },
  {
    key: 'policy', title: 'policy.menu.group', icon: 'Coin',
    children: [
      { path: '/policy/for-you', name: 'policy-for-you', title: 'policy.menu.forYou', icon: 'Present', perm: 'policy.read', only: ['enterprise'], watermark: true, component: () => import('@/views/policy/ForYouView.vue') },
      { path: '/policy/catalogue', name: 'policy-catalogue', title: 'policy.menu.catalogue', icon: 'Notebook', perm: 'policy.read', except: ['bank'], component: () => import('@/views/policy/CatalogueView.vue') },
      { path: '/policy/runs', name: 'policy-runs', title: 'policy.menu.runs', icon: 'Cpu', perm: 'policy.read', except: ['bank', 'enterprise'], component: () => import('@/views/policy/RunsView.vue') },
      { path: '/policy/runs/:id', name: 'policy-run', title: 'policy.menu.runDetail', icon: 'Cpu', perm: 'policy.read', except: ['bank', 'enterprise'], hidden: true, watermark: true, component: () => import('@/views/policy/RunDetailView.vue') },
      { path: '/policy/runs/:id/decisions/:entity', name: 'policy-decision', title: 'policy.menu.decision', icon: 'Reading', perm: 'policy.read', except: ['bank'], hidden: true, watermark: true, component: () => import('@/views/policy/DecisionView.vue') },
      { path: '/policy/diff', name: 'policy-diff', title: 'policy.menu.diff', icon: 'Switch', perm: 'policy.read', except: ['bank', 'enterprise'], hidden: true, watermark: true, component: () => import('@/views/policy/DiffView.vue') },
      { path: '/policy/batches', name: 'policy-batches', title: 'policy.menu.batches', icon: 'Stamp', perm: 'policy.read', except: ['bank', 'enterprise', 'specialist'], watermark: true, component: () => import('@/views/policy/BatchesView.vue') },
      { path: '/policy/batches/:id', name: 'policy-batch', title: 'policy.menu.batch', icon: 'Stamp', perm: 'policy.read', except: ['bank', 'enterprise', 'specialist'], hidden: true, watermark: true, component: () => import('@/views/policy/BatchView.vue') },
      { path: '/policy/enterprises/:id', name: 'policy-enterprise', title: 'policy.menu.enterprise', icon: 'Present', perm: 'policy.read', except: ['bank', 'enterprise'], hidden: true, watermark: true, component: () => import('@/views/policy/ForYouView.vue') },
      { path: '/policy/whitelist', name: 'policy-whitelist', title: 'policy.menu.whitelist', icon: 'CreditCard', perm: 'policy.read', except: ['enterprise', 'specialist'], watermark: true, component: () => import('@/views/policy/WhitelistView.vue') },
    ],
  },
  { path: '/account', name: 'account', title: 'menu.account', icon: 'Avatar', watermark: true, component: () => import('@/views/AccountView.vue') },
];

// Public pages (no sign-in, outside the console layout; the router marks them public).
export const PUBLIC_PAGES = [
  { path: '/public/register', name: 'public-register', title: 'match.menu.register', component: () => import('@/views/public/SeekerRegisterView.vue') },
  { path: '/public/jobs', name: 'public-jobs', title: 'match.menu.jobs', component: () => import('@/views/public/JobsNearView.vue') },
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

/** Whether the entry's role filter (only / except) lets this role in (the permission is checked apart). */
export function roleFits(e, role) {
  if (!e) return true;
  if (Array.isArray(e.only) && !e.only.includes(role)) return false;
  if (Array.isArray(e.except) && e.except.includes(role)) return false;
  return true;
}

/** The menu as the user sees it: entries they may open, empty groups dropped. can(perm, roles, entry). */
export function visibleMenu(can, list = MENU) {
  const out = [];
  for (const e of list) {
    if (e.hidden) continue;
    if (e.children) {
      const kids = visibleMenu(can, e.children);
      if (kids.length) out.push({ ...e, children: kids });
    } else if (can(e.perm, e.roles, e)) {
      out.push(e);
    }
  }
  return out;
}
