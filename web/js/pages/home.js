// home.js — the landing page of staff accounts: who is logged in, with which
// role and scope, and the pages that role may open.
import { navFor } from '../routes.js';
import { h, section } from '../ui.js';

export const strings = {
	zh: {
		'home.title': '欢迎，{name}',
		'home.role': '角色',
		'home.scope': '管辖范围',
		'home.scope_all': '全部',
		'home.pages': '可用功能',
	},
	en: {
		'home.title': 'Welcome, {name}',
		'home.role': 'Role',
		'home.scope': 'Scope',
		'home.scope_all': 'Everything',
		'home.pages': 'What you can do',
	},
};

export async function render(root, ctx) {
	const { t, user } = ctx;
	const pages = navFor(user).filter((entry) => entry.path !== 'home');
	root.append(
		h('h1', {}, t('home.title', { name: user.display_name || user.username })),
		h('dl', { class: 'facts' },
			h('dt', {}, t('home.role')), h('dd', { 'data-role': user.role }, t(`role.${user.role}`)),
			h('dt', {}, t('home.scope')), h('dd', {}, user.org ? user.org.name : t('home.scope_all'))),
		section(t('home.pages'),
			h('ul', { class: 'link-list' }, pages.map((entry) => h('li', {}, h('a', { href: `#/${entry.path}` }, t(entry.nav)))))));
}
