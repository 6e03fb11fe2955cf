// audit_dashboard.js — the auditor's dashboard of a year: the totals as big
// numbers (officers, met, short, at risk, percent met, records), percent met
// per unit (GET /api/v1/reports/orgs, a bar chart), the distribution of
// officers' hours and the records per month (GET /api/v1/reports/dashboard, a
// histogram and a line). Every chart has its numbers in a table beside it, so
// the page reads without the charts too.
import { formatNumber, yearParam } from '../i18n.js';
import { h, loading, section, showProblem, table } from '../ui.js';
import { drawChart, hundredths, yearPicker } from './audit_common.js';

export const strings = {
	zh: {
		'audit.dash.title': '统计看板',
		'audit.dash.year': '年度',
		'audit.dash.officers': '参评人数',
		'audit.dash.met': '达标',
		'audit.dash.short': '未达标',
		'audit.dash.at_risk': '进度滞后',
		'audit.dash.exempt': '免于考核',
		'audit.dash.percent_met': '达标率',
		'audit.dash.records': '培训记录',
		'audit.dash.by_unit': '各单位达标率',
		'audit.dash.histogram': '执法人员学时分布',
		'audit.dash.by_month': '每月培训记录数',
		'audit.dash.unit': '单位', 'audit.dash.range': '学时区间', 'audit.dash.month': '月份', 'audit.dash.count': '人数',
		'audit.dash.month_n': '{n}月',
		'audit.dash.range_open': '{from} 以上',
		'audit.dash.no_units': '该范围内没有下级单位的数据。',
		'audit.dash.show_table': '查看数据表',
		'audit.dash.to_list': '查看未达标名单',
	},
	en: {
		'audit.dash.title': 'Dashboard',
		'audit.dash.year': 'Year',
		'audit.dash.officers': 'Officers evaluated',
		'audit.dash.met': 'Met',
		'audit.dash.short': 'Short',
		'audit.dash.at_risk': 'Behind pace',
		'audit.dash.exempt': 'Exempt',
		'audit.dash.percent_met': 'Percent met',
		'audit.dash.records': 'Training records',
		'audit.dash.by_unit': 'Percent met per unit',
		'audit.dash.histogram': "Officers' hours",
		'audit.dash.by_month': 'Training records per month',
		'audit.dash.unit': 'Unit', 'audit.dash.range': 'Hours', 'audit.dash.month': 'Month', 'audit.dash.count': 'Officers',
		'audit.dash.month_n': 'M{n}',
		'audit.dash.range_open': '{from} and more',
		'audit.dash.no_units': 'No units below this scope have data.',
		'audit.dash.show_table': 'Show the numbers',
		'audit.dash.to_list': 'Open the non-compliance list',
	},
};

function bigNumbers(ctx, totals) {
	const { t } = ctx;
	const item = (key, value, tone) => h('div', { class: `bignum${tone ? ` bignum-${tone}` : ''}`, 'data-total': key },
		h('span', { class: 'bignum-value' }, value),
		h('span', { class: 'bignum-label' }, t(`audit.dash.${key}`)));
	return h('div', { class: 'bignums' },
		item('officers', formatNumber(totals.officers)),
		item('met', formatNumber(totals.met), 'ok'),
		item('short', formatNumber(totals.short), 'bad'),
		item('at_risk', formatNumber(totals.at_risk), 'warn'),
		item('percent_met', `${totals.percent_met}%`),
		item('records', formatNumber(totals.records)));
}

// A chart panel: the chart's container and, folded, the same numbers as a table.
function chartPanel(ctx, id, title, columns, rows, option) {
	const container = h('div', { class: 'chart', id, role: 'img', 'aria-label': title });
	const panel = section(title, container,
		h('details', { class: 'chart-table' }, h('summary', {}, ctx.t('audit.dash.show_table')), table(columns, rows)));
	requestAnimationFrame(() => drawChart(container, option).catch((error) => showProblem(panel, error)));
	return panel;
}

function unitsPanel(ctx, orgs) {
	const { t } = ctx;
	if (!orgs.items.length)
		return section(t('audit.dash.by_unit'), h('p', { class: 'empty' }, t('audit.dash.no_units')));
	const items = orgs.items;
	return chartPanel(ctx, 'audit-chart-units', t('audit.dash.by_unit'), [
		{ label: t('audit.dash.unit'), value: (u) => u.name },
		{ label: t('audit.dash.officers'), numeric: true, value: (u) => formatNumber(u.officers) },
		{ label: t('audit.dash.met'), numeric: true, value: (u) => formatNumber(u.met) },
		{ label: t('audit.dash.short'), numeric: true, value: (u) => formatNumber(u.short) },
		{ label: t('audit.dash.at_risk'), numeric: true, value: (u) => formatNumber(u.at_risk) },
		{ label: t('audit.dash.percent_met'), numeric: true, value: (u) => `${u.percent_met}%` },
	], items, {
		grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
		xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
		yAxis: { type: 'category', data: items.map((u) => u.name), inverse: true, axisLabel: { width: 110, overflow: 'truncate' } },
		tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${p.data.text}%` },
		series: [{
			type: 'bar',
			data: items.map((u) => ({ value: hundredths(u.percent_met) / 100, text: u.percent_met })),
			label: { show: true, position: 'right', formatter: (p) => `${p.data.text}%` },
			itemStyle: { color: '#1f5fa8' },
		}],
	});
}

function rangeLabel(ctx, bin) {
	return bin.to === null ? ctx.t('audit.dash.range_open', { from: bin.from }) : `${bin.from}–${bin.to}`;
}

function histogramPanel(ctx, dash) {
	const { t } = ctx;
	const bins = dash.hours_histogram;
	return chartPanel(ctx, 'audit-chart-hours', t('audit.dash.histogram'), [
		{ label: t('audit.dash.range'), value: (b) => rangeLabel(ctx, b) },
		{ label: t('audit.dash.count'), numeric: true, value: (b) => formatNumber(b.officers) },
	], bins, {
		grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
		xAxis: { type: 'category', data: bins.map((b) => (b.to === null ? `${Number(b.from)}+` : `${Number(b.from)}–${Number(b.to)}`)), name: t('common.hours'), nameLocation: 'middle', nameGap: 28 },
		yAxis: { type: 'value', minInterval: 1 },
		tooltip: { trigger: 'item', formatter: (p) => `${rangeLabel(ctx, bins[p.dataIndex])} ${t('common.hours')}: ${p.value}` },
		series: [{ type: 'bar', barCategoryGap: '2%', data: bins.map((b) => b.officers), itemStyle: { color: '#b5651d' }, label: { show: true, position: 'top' } }],
	});
}

function monthsPanel(ctx, dash) {
	const { t } = ctx;
	const months = dash.records_by_month;
	return chartPanel(ctx, 'audit-chart-months', t('audit.dash.by_month'), [
		{ label: t('audit.dash.month'), value: (m) => t('audit.dash.month_n', { n: m.month }) },
		{ label: t('audit.dash.records'), numeric: true, value: (m) => formatNumber(m.records) },
	], months, {
		grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
		xAxis: { type: 'category', data: months.map((m) => t('audit.dash.month_n', { n: m.month })) },
		yAxis: { type: 'value', minInterval: 1 },
		tooltip: { trigger: 'axis' },
		series: [{ type: 'line', data: months.map((m) => m.records), smooth: false, symbolSize: 6, itemStyle: { color: '#b3261e' }, areaStyle: { opacity: 0.08 } }],
	});
}

export async function render(root, ctx) {
	const { t } = ctx;
	const year = yearParam(ctx.params);
	const body = h('div', { class: 'dashboard-body' }, loading());
	root.append(
		h('div', { class: 'page-head' },
			h('h1', {}, t('audit.dash.title')),
			yearPicker(ctx, 'audit/dashboard', year, 'audit-dash-year', t('audit.dash.year'))),
		body);
	try {
		const [dash, orgs] = await Promise.all([
			ctx.api.get(`/api/v1/reports/dashboard?year=${year}`),
			ctx.api.get(`/api/v1/reports/orgs?year=${year}`),
		]);
		body.replaceChildren(
			bigNumbers(ctx, dash.totals),
			h('p', {}, h('a', { href: `#/audit/compliance?year=${year}&status=short`, 'data-link': 'to-list' }, t('audit.dash.to_list'))),
			h('div', { class: 'grid' }, unitsPanel(ctx, orgs), histogramPanel(ctx, dash)),
			monthsPanel(ctx, dash));
	} catch (error) {
		body.replaceChildren();
		showProblem(body, error);
	}
}
