// hr_officers.js — officers of the HR clerk's units: search by name or whole
// national ID and filter by status (GET /api/v1/officers), or list those met,
// short, behind pace or exempt in a year (GET /api/v1/reports/compliance, worst
// first), paged with next_cursor. Each row opens the officer's page.
import { formatHours, yearParam } from '../i18n.js';
import { clearProblem, field, h, loading, section, showProblem, table, yearOptions } from '../ui.js';
import { OFFICER_STATUSES, officerStatusStrings } from './hr_common.js';

export const strings = {
	zh: {
		...officerStatusStrings.zh,
		'hr.officers.title': '执法人员',
		'hr.officers.search': '姓名或身份证号',
		'hr.officers.search_hint': '姓名可输入部分；身份证号须完整（18 位）',
		'hr.officers.status': '人员状态',
		'hr.officers.compliance': '学时达标情况',
		'hr.officers.year': '年度',
		'hr.officers.any': '全部',
		'hr.officers.submit': '查询',
		'hr.officers.compliance_hint': '按达标情况筛选时，列出本单位范围内全部人员（缺学时多的在前），不按姓名和人员状态筛选。',
		'hr.officers.none': '没有符合条件的人员。',
		'hr.officers.next': '下一页',
		'hr.officers.first': '回到第一页',
		'hr.officers.col.name': '姓名', 'hr.officers.col.id': '身份证号', 'hr.officers.col.unit': '单位',
		'hr.officers.col.post': '岗位', 'hr.officers.col.status': '状态', 'hr.officers.col.kind': '类别',
		'hr.officers.col.compliance': '达标情况', 'hr.officers.col.counted': '已认定', 'hr.officers.col.required': '要求',
		'hr.officers.col.missing': '尚缺',
		'hr.officers.kind.officer': '执法人员', 'hr.officers.kind.auxiliary': '辅助人员',
		'hr.officers.compliance.met': '达标', 'hr.officers.compliance.short': '未达标',
		'hr.officers.compliance.at_risk': '进度滞后', 'hr.officers.compliance.exempt': '免于考核',
	},
	en: {
		...officerStatusStrings.en,
		'hr.officers.title': 'Officers',
		'hr.officers.search': 'Name or national ID',
		'hr.officers.search_hint': 'Part of a name, or a whole (18-character) national ID',
		'hr.officers.status': 'Status',
		'hr.officers.compliance': 'Training hours',
		'hr.officers.year': 'Year',
		'hr.officers.any': 'Any',
		'hr.officers.submit': 'Search',
		'hr.officers.compliance_hint': 'Filtered by training hours, the list holds everyone of your units (most hours missing first), whatever the name or status.',
		'hr.officers.none': 'No officer matches.',
		'hr.officers.next': 'Next page',
		'hr.officers.first': 'Back to the first page',
		'hr.officers.col.name': 'Name', 'hr.officers.col.id': 'National ID', 'hr.officers.col.unit': 'Unit',
		'hr.officers.col.post': 'Post', 'hr.officers.col.status': 'Status', 'hr.officers.col.kind': 'Kind',
		'hr.officers.col.compliance': 'Hours', 'hr.officers.col.counted': 'Credited', 'hr.officers.col.required': 'Required',
		'hr.officers.col.missing': 'Missing',
		'hr.officers.kind.officer': 'Officer', 'hr.officers.kind.auxiliary': 'Auxiliary',
		'hr.officers.compliance.met': 'Met', 'hr.officers.compliance.short': 'Short',
		'hr.officers.compliance.at_risk': 'Behind pace', 'hr.officers.compliance.exempt': 'Exempt',
	},
};

const COMPLIANCE = ['short', 'at_risk', 'met', 'exempt'];

function choices(t, prefix, values, selected) {
	return [h('option', { value: '' }, t('hr.officers.any'))]
		.concat(values.map((value) => h('option', { value, selected: value === selected }, t(`${prefix}.${value}`))));
}

// The filters of params without the page cursor.
function withoutCursor(params) {
	const { cursor, ...rest } = params;
	return rest;
}

function officerLink(officer, year) {
	return h('a', { href: `#/hr/officer?${new URLSearchParams({ id: String(officer.id), year: String(year) })}`, 'data-officer': String(officer.id) }, officer.name);
}

export async function render(root, ctx) {
	const { t, params } = ctx;
	const year = yearParam(params);
	const compliance = COMPLIANCE.includes(params.compliance) ? params.compliance : '';
	const form = h('form', { class: 'form filter-form', role: 'search', 'data-form': 'officer-search' },
		field({ label: t('hr.officers.search'), name: 'q', type: 'search', value: params.q || '', 'aria-describedby': 'hr-officers-hint', disabled: Boolean(compliance) }),
		field({ label: t('hr.officers.status'), name: 'status', type: 'select', options: choices(t, 'hr.status', OFFICER_STATUSES, params.status), disabled: Boolean(compliance) }),
		field({ label: t('hr.officers.compliance'), name: 'compliance', type: 'select', options: choices(t, 'hr.officers.compliance', COMPLIANCE, compliance) }),
		field({ label: t('hr.officers.year'), name: 'year', type: 'select', options: yearOptions(year) }),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('hr.officers.submit'))));
	const body = h('div', { class: 'list-body', 'aria-live': 'polite' });
	const panel = section(t('hr.officers.title'), form,
		h('p', { class: 'hint form-note', id: 'hr-officers-hint' }, compliance ? t('hr.officers.compliance_hint') : t('hr.officers.search_hint')), body);
	// Switching to a compliance filter frees or locks the other fields at once.
	form.elements.compliance.addEventListener('change', () => {
		const on = Boolean(form.elements.compliance.value);
		form.elements.q.disabled = on;
		form.elements.status.disabled = on;
	});
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		const next = { year: form.elements.year.value };
		const q = form.elements.q.value.trim();
		if (form.elements.compliance.value)
			next.compliance = form.elements.compliance.value;
		else {
			if (q)
				next.q = q;
			if (form.elements.status.value)
				next.status = form.elements.status.value;
		}
		ctx.navigate('hr/officers', next);
	});
	root.append(panel);
	body.append(loading());

	const query = new URLSearchParams({ limit: '20' });
	if (params.cursor)
		query.set('cursor', params.cursor);
	let path;
	let columns;
	if (compliance) {
		query.set('year', String(year));
		query.set('status', compliance);
		path = `/api/v1/reports/compliance?${query}`;
		columns = [
			{ label: t('hr.officers.col.name'), value: (row) => officerLink(row.officer, year) },
			{ label: t('hr.officers.col.id'), value: (row) => row.officer.national_id_masked || '' },
			{ label: t('hr.officers.col.unit'), value: (row) => (row.officer.org ? row.officer.org.name : '') },
			{ label: t('hr.officers.col.compliance'), value: (row) => h('span', { class: `status-${row.status}` }, t(`hr.officers.compliance.${row.status}`)) },
			{ label: t('hr.officers.col.counted'), numeric: true, value: (row) => formatHours(row.counted_hours) },
			{ label: t('hr.officers.col.required'), numeric: true, value: (row) => formatHours(row.required_hours) },
			{ label: t('hr.officers.col.missing'), numeric: true, value: (row) => formatHours(row.missing_hours) },
		];
	} else {
		if (params.q)
			query.set('q', params.q);
		if (OFFICER_STATUSES.includes(params.status))
			query.set('status', params.status);
		path = `/api/v1/officers?${query}`;
		columns = [
			{ label: t('hr.officers.col.name'), value: (o) => officerLink(o, year) },
			{ label: t('hr.officers.col.id'), value: (o) => o.national_id_masked || '' },
			{ label: t('hr.officers.col.unit'), value: (o) => (o.org ? o.org.name : '') },
			{ label: t('hr.officers.col.post'), value: (o) => o.post || '' },
			{ label: t('hr.officers.col.kind'), value: (o) => t(`hr.officers.kind.${o.kind}`) },
			{ label: t('hr.officers.col.status'), value: (o) => t(`hr.status.${o.status}`) },
		];
	}
	try {
		const page = await ctx.api.get(path);
		clearProblem(panel, form);
		const items = page.items || [];
		const pager = h('p', { class: 'pager' },
			params.cursor ? h('button', { type: 'button', class: 'secondary', 'data-action': 'first-page', onclick: () => ctx.navigate('hr/officers', withoutCursor(params)) }, t('hr.officers.first')) : null,
			page.next_cursor ? h('button', { type: 'button', 'data-action': 'next-page', onclick: () => ctx.navigate('hr/officers', { ...params, cursor: page.next_cursor }) }, t('hr.officers.next')) : null);
		body.replaceChildren(items.length ? table(columns, items) : h('p', { class: 'empty' }, t('hr.officers.none')), pager);
	} catch (error) {
		body.replaceChildren();
		showProblem(panel, error, form);
	}
}
