// audit_common.js — helpers the auditor's pages (audit_*.js) share: the year
// picker, ECharts drawing that follows the window's size and goes away with
// the page, hours text as hundredths (for drawing only) and a pager over the
// API's cursors.
// Not a page: routes.js lists no row for it.
import { h, yearOptions } from '../ui.js';

// "60.00" → 6000: hundredths as an integer, parsed as text (never a float sum).
export function hundredths(text) {
	const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text ?? '0'));
	if (!match)
		return 0;
	return Number(match[1]) * 100 + Number((match[2] || '0').padEnd(2, '0'));
}

// A labelled <select> of this year and the five before, which navigates to
// path with ?year= (keeping the other params).
export function yearPicker(ctx, path, year, id, label) {
	const select = h('select', { id, name: 'year', onchange: () => ctx.navigate(path, { ...ctx.params, year: select.value }) }, yearOptions(year));
	return h('div', { class: 'field inline' }, h('label', { for: id }, label), select);
}

// Draws option into container (canvas), resized with the window and disposed
// when the page changes.
export async function drawChart(container, option) {
	const echarts = await import('/vendor/echarts.js');
	if (!container.isConnected)
		return null;
	const chart = echarts.init(container, null, { renderer: 'canvas' });
	chart.setOption({ animation: false, ...option });
	const resize = () => chart.resize();
	window.addEventListener('resize', resize);
	window.addEventListener('hashchange', () => { window.removeEventListener('resize', resize); chart.dispose(); }, { once: true });
	return chart;
}

// Runs task with button disabled (and aria-busy) until it settles.
// A pager: "first page" when not on it, "next page" when the API gave a cursor.
export function pager(ctx, cursor, nextCursor, go) {
	return h('p', { class: 'pager' },
		cursor ? h('button', { type: 'button', class: 'secondary', 'data-action': 'first', onclick: () => go(null) }, ctx.t('common.first')) : null,
		nextCursor ? h('button', { type: 'button', class: 'secondary', 'data-action': 'next', onclick: () => go(nextCursor) }, ctx.t('common.next')) : null);
}

// The query string of params without empty values.
export function queryOf(params) {
	const query = new URLSearchParams();
	for (const [key, value] of Object.entries(params))
		if (value !== undefined && value !== null && value !== '')
			query.set(key, String(value));
	return query.toString();
}

// "total: 52.00 h short / 总学时差 52.00 学时" → the half in the language shown
// (the API's messages pair Chinese and English in either order).
export function halfOf(text, lang) {
	const parts = String(text || '').split(' / ');
	if (parts.length !== 2)
		return String(text || '');
	const chinese = /[\u4e00-\u9fff]/;
	const zh = parts.find((part) => chinese.test(part)) || parts[0];
	const en = parts.find((part) => !chinese.test(part)) || parts[1];
	return lang === 'en' ? en : zh;
}

// A labelled <select> of the organisations the caller sees (GET /api/v1/orgs),
// indented by depth, with "all of my scope" first. Filled once loaded.
export function orgSelect(ctx, name, value, label, allLabel) {
	const control = h('select', { id: `audit-${name}`, name }, h('option', { value: '' }, allLabel));
	ctx.api.get('/api/v1/orgs?limit=500').then((page) => {
		// Tree order: by path, its labels compared as numbers ("1.2.13" after "1.2.9").
		const key = (org) => String(org.path).split('.').map((label) => label.padStart(10, '0')).join('.');
		const items = (page.items || []).slice().sort((x, y) => (key(x) < key(y) ? -1 : 1));
		const top = Math.min(...items.map((org) => org.depth));
		for (const org of items)
			control.append(h('option', { value: String(org.id), selected: String(org.id) === String(value || '') },
				`${'\u3000'.repeat(Math.max(0, org.depth - top))}${org.name}`));
	}).catch(() => {
		// The list stays "all"; the report itself still answers for the scope.
	});
	return h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), control);
}

// A labelled <select> of choices [[value, text]…].
export function choiceSelect(name, value, label, choices) {
	return h('div', { class: 'field' },
		h('label', { for: `audit-${name}` }, label),
		h('select', { id: `audit-${name}`, name }, choices.map(([key, text]) =>
			h('option', { value: key, selected: key === (value || '') }, text))));
}

// The values of a filter form's named controls, empty ones left out.
export function formValues(form) {
	const values = {};
	for (const control of form.elements)
		if (control.name && control.value.trim() !== '')
			values[control.name] = control.value.trim();
	return values;
}
