// routes.js — the one list of the web UI's pages: hash path, page module,
// the roles that may open it (null: anyone, logged in or not) and its entry
// in the navigation (a string key, or null for none). A new page is a new
// row here plus its module under pages/ (web/README.md).

export const ROLES = ['admin', 'hr', 'auditor', 'officer'];
const STAFF = ['admin', 'hr', 'auditor'];

export const routes = [
	{ path: 'login', module: './pages/login.js', roles: null, nav: null },
	{ path: 'password', module: './pages/login.js', roles: ROLES, nav: null, params: { mode: 'password' } },
	{ path: 'home', module: './pages/home.js', roles: STAFF, nav: 'nav.home' },
	{ path: 'me', module: './pages/me.js', roles: ['officer'], nav: 'nav.me' },
	{ path: 'hr/officers', module: './pages/hr_officers.js', roles: ['admin', 'hr'], nav: 'nav.hr_officers' },
	{ path: 'hr/officer', module: './pages/hr_officer.js', roles: ['admin', 'hr'], nav: null },
	{ path: 'hr/sessions', module: './pages/hr_sessions.js', roles: ['admin', 'hr'], nav: 'nav.hr_sessions' },
	{ path: 'hr/session', module: './pages/hr_sessions.js', roles: ['admin', 'hr'], nav: null, params: { view: 'session' } },
	{ path: 'hr/import', module: './pages/hr_import.js', roles: ['admin', 'hr'], nav: 'nav.hr_import' },
	{ path: 'audit/dashboard', module: './pages/audit_dashboard.js', roles: ['admin', 'auditor'], nav: 'nav.audit_dashboard' },
	{ path: 'audit/compliance', module: './pages/audit_compliance.js', roles: ['admin', 'auditor'], nav: 'nav.audit_compliance' },
	{ path: 'audit/flags', module: './pages/audit_flags.js', roles: ['admin', 'auditor'], nav: 'nav.audit_flags' },
	{ path: 'audit/log', module: './pages/audit_log.js', roles: ['admin', 'auditor'], nav: 'nav.audit_log' },
	{ path: 'public', module: './pages/public.js', roles: null, nav: 'nav.public' },
];

// Where a role lands after logging in.
export const HOME_BY_ROLE = { admin: 'home', hr: 'home', auditor: 'home', officer: 'me' };

export function findRoute(path) {
	return routes.find((route) => route.path === path) || null;
}

export function allows(route, user) {
	return route.roles === null || (user !== null && route.roles.includes(user.role));
}

// The navigation entries user may see, in table order.
export function navFor(user) {
	return routes.filter((route) => route.nav && allows(route, user));
}
