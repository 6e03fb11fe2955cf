// audit_compliance.js — the non-compliance list of a year (GET
// /api/v1/reports/compliance): filtered by unit (its subtree) and status,
// worst first (the hours still missing, as the API sorts), 50 a page with the
// API's cursor, and the same list whole as CSV or XLSX (…/compliance.csv and
// .xlsx with the same filters; the download is audited by the server).
import { currentYear, formatNumber, getLang, yearParam } from '../i18n.js';
import { clearProblem, h, loading, section, showProblem, table } from '../ui.js';
import { choiceSelect, formValues, halfOf, orgSelect, pager, queryOf } from './audit_common.js';

export const strings = {
	zh: {
		'audit.comp.title': '学时达标情况名单',
		'audit.comp.hint': '按尚缺学时从多到少排列。',
		'audit.comp.year': '年度', 'audit.comp.org': '单位（含下级）', 'audit.comp.org_all': '我管辖的全部单位',
		'audit.comp.status': '状态', 'audit.comp.status_all': '全部状态',
		'audit.comp.apply': '筛选',
		'audit.comp.csv': '下载 CSV', 'audit.comp.xlsx': '下载 Excel（XLSX）',
		'audit.comp.export_hint': '导出为当前筛选条件下的完整名单，导出操作记入审计日志。',
		'audit.comp.shown': '本页 {n} 人',
		'audit.comp.none': '没有符合条件的人员。',
		'audit.comp.col.unit': '单位', 'audit.comp.col.name': '姓名', 'audit.comp.col.id': '身份证号', 'audit.comp.col.status': '状态',
		'audit.comp.col.counted': '已计学时', 'audit.comp.col.required': '应完成学时', 'audit.comp.col.missing': '尚缺学时', 'audit.comp.col.why': '说明',
		'audit.status.met': '达标', 'audit.status.short': '未达标', 'audit.status.at_risk': '进度滞后', 'audit.status.exempt': '免于考核',
	},
	en: {
		'audit.comp.title': 'Compliance list',
		'audit.comp.hint': 'Most hours missing first.',
		'audit.comp.year': 'Year', 'audit.comp.org': 'Unit (with its subunits)', 'audit.comp.org_all': 'All my units',
		'audit.comp.status': 'Status', 'audit.comp.status_all': 'Any status',
		'audit.comp.apply': 'Filter',
		'audit.comp.csv': 'Download CSV', 'audit.comp.xlsx': 'Download Excel (XLSX)',
		'audit.comp.export_hint': 'The export is the whole list under these filters; it is recorded in the audit log.',
		'audit.comp.shown': '{n} on this page',
		'audit.comp.none': 'Nobody matches these filters.',
		'audit.comp.col.unit': 'Unit', 'audit.comp.col.name': 'Name', 'audit.comp.col.id': 'National ID', 'audit.comp.col.status': 'Status',
		'audit.comp.col.counted': 'Counted', 'audit.comp.col.required': 'Required', 'audit.comp.col.missing': 'Missing', 'audit.comp.col.why': 'Why',
		'audit.status.met': 'Met', 'audit.status.short': 'Short', 'audit.status.at_risk': 'Behind pace', 'audit.status.exempt': 'Exempt',
	},
};

const PAGE_SIZE = 50;
const STATUSES = ['short', 'at_risk', 'met', 'exempt'];

function filterForm(ctx, filters) {
	const { t } = ctx;
	const now = currentYear();
	const years = [];
	for (let y = now; y >= now - 5; y--)
		years.push([String(y), String(y)]);
	const form = h('form', { class: 'form filters', 'data-form': 'compliance-filters', novalidate: true },
		choiceSelect('year', String(filters.year), t('audit.comp.year'), years),
		orgSelect(ctx, 'org', filters.org, t('audit.comp.org'), t('audit.comp.org_all')),
		choiceSelect('status', filters.status, t('audit.comp.status'),
			[['', t('audit.comp.status_all')], ...STATUSES.map((s) => [s, t(`audit.status.${s}`)])]),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.comp.apply'))));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		ctx.navigate('audit/compliance', formValues(form));
	});
	return form;
}

function columns(ctx) {
	const { t } = ctx;
	return [
		{ label: t('audit.comp.col.unit'), value: (r) => (r.officer.org ? r.officer.org.name : '') },
		{ label: t('audit.comp.col.name'), value: (r) => r.officer.name },
		{ label: t('audit.comp.col.id'), value: (r) => r.officer.national_id_masked || '' },
		{ label: t('audit.comp.col.status'), value: (r) => h('span', { class: `status-${r.status}`, 'data-status': r.status }, t(`audit.status.${r.status}`)) },
		{ label: t('audit.comp.col.counted'), numeric: true, value: (r) => r.counted_hours },
		{ label: t('audit.comp.col.required'), numeric: true, value: (r) => r.required_hours },
		{ label: t('audit.comp.col.missing'), numeric: true, value: (r) => r.missing_hours },
		{ label: t('audit.comp.col.why'), value: (r) => (r.shortfalls || []).map((s) => halfOf(s.message, getLang())).join('；') },
	];
}

export async function render(root, ctx) {
	const { t } = ctx;
	const year = yearParam(ctx.params);
	const filters = { year, org: ctx.params.org || '', status: STATUSES.includes(ctx.params.status) ? ctx.params.status : '' };
	const query = queryOf(filters);
	const form = filterForm(ctx, filters);
	const body = h('div', { class: 'list-body' });
	const panel = section(t('audit.comp.title'), form,
		h('p', { class: 'downloads' },
			h('a', { class: 'button secondary', href: `/api/v1/reports/compliance.csv?${query}`, download: '', 'data-link': 'csv' }, t('audit.comp.csv')),
			h('a', { class: 'button secondary', href: `/api/v1/reports/compliance.xlsx?${query}`, download: '', 'data-link': 'xlsx' }, t('audit.comp.xlsx'))),
		h('p', { class: 'hint' }, t('audit.comp.export_hint')),
		h('p', { class: 'hint' }, t('audit.comp.hint')),
		body);
	root.append(h('h1', {}, t('audit.comp.title')), panel);
	// The page's own heading is the h1; the panel's h2 repeats it for the cards.
	panel.querySelector('h2').remove();

	async function show(cursor) {
		body.replaceChildren(loading());
		clearProblem(panel, form);
		try {
			const page = await ctx.api.get(`/api/v1/reports/compliance?${queryOf({ ...filters, limit: PAGE_SIZE, cursor })}`);
			const items = page.items || [];
			body.replaceChildren(
				items.length ? h('p', { class: 'count', 'data-count': String(items.length) }, t('audit.comp.shown', { n: formatNumber(items.length) })) : null,
				items.length ? table(columns(ctx), items) : h('p', { class: 'empty' }, t('audit.comp.none')),
				pager(ctx, cursor, page.next_cursor, show));
		} catch (error) {
			body.replaceChildren();
			showProblem(panel, error, form);
		}
	}
	await show(null);
}
