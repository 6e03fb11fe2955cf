// app.js — the shell: reads who is logged in (GET /api/v1/session), draws the
// header with the navigation of that role, and routes #/path?query to a page
// module's render(root, ctx). Logged out → #/login; a one-time password →
// #/password until it is changed; a role the route does not list → a refusal.
import { api, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { addStrings, getLang, setLang, t } from './i18n.js';
import { HOME_BY_ROLE, allows, findRoute, navFor } from './routes.js';
import { clear, h, loading, showProblem } from './ui.js';

addStrings({
	zh: { 'nav.hr_officers': '执法人员',
		'nav.hr_sessions': '培训登记', 'nav.hr_import': '批量导入',
		'nav.audit_dashboard': '统计看板', 'nav.audit_compliance': '未达标名单', 'nav.audit_flags': '复核队列', 'nav.audit_log': '审计日志',
	},
	en: { 'nav.hr_officers': 'Officers',
		'nav.hr_sessions': 'Sessions', 'nav.hr_import': 'Import',
		'nav.audit_dashboard': 'Dashboard', 'nav.audit_compliance': 'Non-compliance', 'nav.audit_flags': 'Review queue', 'nav.audit_log': 'Audit log',
	},
});

const state = { user: null, renderSerial: 0 };
const loadedStrings = new WeakSet();

function parseHash() {
	const raw = location.hash.replace(/^#\/?/, '');
	const [path, query = ''] = raw.split('?');
	return { path: decodeURIComponent(path), params: Object.fromEntries(new URLSearchParams(query)) };
}

// Goes to path ('me', 'login', …) with optional query params.
export function navigate(path, params) {
	const query = params ? new URLSearchParams(params).toString() : '';
	const hash = `#/${path}${query ? `?${query}` : ''}`;
	if (location.hash === hash)
		route();
	else
		location.hash = hash;
}

function homeOf(user) {
	return user ? HOME_BY_ROLE[user.role] || 'public' : 'login';
}

// Keeps what GET /api/v1/session or POST /api/v1/login said.
function setSession(data) {
	state.user = data ? data.user : null;
	setCsrfToken(data ? data.csrf_token : null);
	if (state.user && data.must_change_password !== undefined)
		state.user.must_change_password = data.must_change_password;
	drawHeader();
}

async function loadSession() {
	try {
		setSession(await api.get('/api/v1/session'));
	} catch (error) {
		if (error.status !== 401)
			throw error;
		setSession(null);
	}
}

async function logout() {
	try {
		await api.post('/api/v1/logout');
	} catch (error) {
		if (error.status !== 401)
			throw error;
	}
	setSession(null);
	navigate('login');
}

function drawHeader() {
	const header = document.getElementById('topbar');
	const current = parseHash().path;
	const user = state.user;
	clear(header).append(
		h('a', { class: 'brand', href: `#/${homeOf(user)}` }, t('app.brand')),
		h('nav', { class: 'nav', 'aria-label': t('nav.menu') },
			h('ul', {}, navFor(user).map((entry) =>
				h('li', {}, h('a', {
					href: `#/${entry.path}`,
					'data-route': entry.path,
					'aria-current': entry.path === current ? 'page' : null,
				}, t(entry.nav)))))),
		h('div', { class: 'tools' },
			h('button', {
				type: 'button', class: 'link-button', lang: getLang() === 'zh' ? 'en' : 'zh-CN',
				'aria-label': t('nav.language_label'), 'data-action': 'language',
				onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); drawHeader(); route(); },
			}, t('nav.language')),
			user ? h('span', { class: 'who', title: t('nav.signed_in_as') }, user.display_name || user.username) : null,
			user
				? h('button', { type: 'button', class: 'link-button', 'data-action': 'logout', onclick: () => logout().catch(showFatal) }, t('nav.logout'))
				: h('a', { href: '#/login', 'data-route': 'login' }, t('nav.login'))));
}

function showFatal(error) {
	const main = document.getElementById('main');
	clear(main);
	showProblem(main, error);
}

function refusal() {
	return h('section', { class: 'panel refusal', 'data-refused': 'true' },
		h('h1', {}, t('denied.title')), h('p', {}, t('denied.text')),
		h('p', {}, h('a', { href: `#/${homeOf(state.user)}` }, t('nav.home'))));
}

async function route() {
	const serial = ++state.renderSerial;
	const main = document.getElementById('main');
	const { path, params } = parseHash();
	const user = state.user;
	let entry = findRoute(path);

	if (!entry) {
		navigate(homeOf(user));
		return;
	}
	if (entry.roles !== null && !user) {
		navigate('login', path !== 'login' ? { next: path } : undefined);
		return;
	}
	if (user && user.must_change_password && entry.path !== 'password' && entry.roles !== null) {
		navigate('password');
		return;
	}
	drawHeader();
	if (!allows(entry, user)) {
		clear(main).append(refusal());
		return;
	}
	clear(main).append(loading());
	try {
		const page = await import(entry.module);
		if (page.strings && !loadedStrings.has(page.strings)) {
			addStrings(page.strings);
			loadedStrings.add(page.strings);
		}
		if (serial !== state.renderSerial)
			return;
		const root = h('div', { class: 'page-body', 'data-page': entry.path });
		const ctx = {
			api, t, user, navigate,
			params: { ...(entry.params || {}), ...params },
			session: { set: setSession, logout, home: () => homeOf(state.user) },
		};
		clear(main).append(root);
		await page.render(root, ctx);
		main.focus({ preventScroll: true });
	} catch (error) {
		if (serial === state.renderSerial && error.status !== 401)
			showFatal(error);
	}
}

setUnauthorizedHandler(() => {
	if (state.user) {
		setSession(null);
		navigate('login', { next: parseHash().path });
	}
});

window.addEventListener('hashchange', () => route());

loadSession()
	.then(() => (location.hash ? route() : navigate(homeOf(state.user))))
	.catch(showFatal);
