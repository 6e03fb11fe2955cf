// card_view.js — the training registration card of one officer's year, drawn
// the same way for the officer (pages/me.js) and for HR (pages/hr_officer.js):
// progress toward the requirement, hours by category and platform (ECharts),
// what is still missing and by when, the records, and the certificates with
// their QR codes. Hours stay the API's text wherever they are shown; only the
// chart and the progress bar turn them into numbers, for drawing.
import { chinaToday, formatDate, formatDateTime, formatHours, getLang } from './i18n.js';
import { empty, h, section, showProblem, table, yearOptions } from './ui.js';

// Merged into a page's own strings by the pages that draw a card.
export const cardStrings = {
	zh: {
		'card.year': '年度',
		'card.progress': '学时进度',
		'card.progress_text': '已认定 {counted}，要求 {required}',
		'card.status': '状态',
		'card.status.met': '达标', 'card.status.short': '未达标', 'card.status.at_risk': '进度滞后', 'card.status.exempt': '免于考核',
		'card.chart': '各类别及平台学时',
		'card.chart_category': '类别',
		'card.chart_platform': '平台',
		'card.missing': '尚缺学时',
		'card.missing_none': '本年度学时要求均已满足。',
		'card.missing_item': '{name}：还差 {missing}（要求 {required}）',
		'card.deadline': '请在 {date} 前补足。',
		'card.year_over': '该年度已结束。',
		'card.behind': '进度滞后',
		'card.records': '培训记录',
		'card.records_none': '本年度暂无培训记录。',
		'card.col.date': '日期', 'card.col.title': '培训名称', 'card.col.category': '类别', 'card.col.platform': '平台',
		'card.col.organiser': '主办单位', 'card.col.hours': '认定学时', 'card.col.basis': '认定依据',
		'card.basis.override': '人工认定', 'card.basis.declared': '按申报学时', 'card.basis.minutes': '按时长',
		'card.revoked': '已撤销',
		'card.certificate_none': '暂无执法证记录。',
		'card.cert.number': '证号', 'card.cert.status': '状态', 'card.cert.domain': '执法类别', 'card.cert.area': '执法区域',
		'card.cert.issued': '发证日期', 'card.cert.expires': '有效期至', 'card.cert.issuer': '发证机关',
		'card.cert.qr': '执法证二维码（亮证即亮码）',
		'card.cert.expired': '已过期', 'card.cert_status.valid': '有效', 'card.cert_status.suspended': '暂扣', 'card.cert_status.withdrawn': '收回', 'card.cert_status.cancelled': '注销',
		'card.print': '打印培训登记卡',
		'card.exempt': '免于考核：{reason}',
		'cat.public_law': '公共法律知识', 'cat.business': '业务知识', 'cat.skills': '行政执法技能', 'cat.political': '政治理论', 'cat.other': '其他',
		'cat.total': '总学时',
	},
	en: {
		'card.year': 'Year',
		'card.progress': 'Progress',
		'card.progress_text': '{counted} credited of {required} required',
		'card.status': 'Status',
		'card.status.met': 'Met', 'card.status.short': 'Short', 'card.status.at_risk': 'Behind pace', 'card.status.exempt': 'Exempt',
		'card.chart': 'Hours by category and platform',
		'card.chart_category': 'Category',
		'card.chart_platform': 'Platform',
		'card.missing': 'Still missing',
		'card.missing_none': 'Every requirement of this year is met.',
		'card.missing_item': '{name}: {missing} short ({required} required)',
		'card.deadline': 'Make them up by {date}.',
		'card.year_over': 'This year is over.',
		'card.behind': 'behind pace',
		'card.records': 'Training records',
		'card.records_none': 'No training records this year yet.',
		'card.col.date': 'Date', 'card.col.title': 'Session', 'card.col.category': 'Category', 'card.col.platform': 'Platform',
		'card.col.organiser': 'Organiser', 'card.col.hours': 'Credited', 'card.col.basis': 'Basis',
		'card.basis.override': 'set by HR', 'card.basis.declared': 'declared hours', 'card.basis.minutes': 'duration',
		'card.revoked': 'revoked',
		'card.certificate_none': 'No certificate on record.',
		'card.cert.number': 'Number', 'card.cert.status': 'Status', 'card.cert.domain': 'Domain', 'card.cert.area': 'Area',
		'card.cert.issued': 'Issued', 'card.cert.expires': 'Valid until', 'card.cert.issuer': 'Issued by',
		'card.cert.qr': 'Certificate QR code',
		'card.cert.expired': 'expired', 'card.cert_status.valid': 'Valid', 'card.cert_status.suspended': 'Suspended', 'card.cert_status.withdrawn': 'Withdrawn', 'card.cert_status.cancelled': 'Cancelled',
		'card.print': 'Print the training card',
		'card.exempt': 'Exempt: {reason}',
		'cat.public_law': 'Public law', 'cat.business': 'Business', 'cat.skills': 'Enforcement skills', 'cat.political': 'Political theory', 'cat.other': 'Other',
		'cat.total': 'Total',
	},
};

// A page's strings with the card's: {zh, en} of both.
export function withCardStrings(strings) {
	return {
		zh: { ...cardStrings.zh, ...strings.zh },
		en: { ...cardStrings.en, ...strings.en },
	};
}

// "60.00" → 6000: hundredths as an integer, parsed as text (no float sums).
export function hundredths(text) {
	const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text ?? '0'));
	if (!match)
		return 0;
	return Number(match[1]) * 100 + Number((match[2] || '0').padEnd(2, '0'));
}

export function categoryName(t, key, label) {
	const name = t(`cat.${key}`);
	return name === `cat.${key}` ? label || key : name;
}

// A select of yearOptions; onchange(year as text).
export function yearPicker(t, id, year, onchange) {
	const select = h('select', { id, name: 'year', onchange: () => onchange(select.value) }, yearOptions(year));
	return h('div', { class: 'field inline' }, h('label', { for: id }, t('card.year')), select);
}

export function progressPanel(t, card) {
	const required = hundredths(card.required_hours);
	const counted = hundredths(card.counted_hours);
	const label = getLang() === 'zh' ? card.status_label : t(`card.status.${card.status}`);
	return section(t('card.progress'),
		h('p', { class: `status status-${card.status}`, 'data-status': card.status }, `${t('card.status')}：${label}`),
		card.exempt_reason ? h('p', {}, t('card.exempt', { reason: card.exempt_reason })) : null,
		h('progress', { class: 'progress', max: String(Math.max(required, 1)), value: String(Math.min(counted, Math.max(required, 1))), 'aria-label': t('card.progress') }),
		h('p', { class: 'progress-text', 'data-counted': card.counted_hours }, t('card.progress_text', { counted: formatHours(card.counted_hours), required: formatHours(card.required_hours) })));
}

async function drawChart(container, t, card) {
	const echarts = await import('/vendor/echarts.js');
	const names = card.categories.map((c) => categoryName(t, c.category, c.label))
		.concat(card.platforms.map((p) => p.platform));
	// Numbers for drawing only; the labels show the API's text.
	const values = card.categories.map((c) => ({ value: hundredths(c.hours) / 100, text: c.hours, itemStyle: { color: c.counted ? '#1f5fa8' : '#9aa7b4' } }))
		.concat(card.platforms.map((p) => ({ value: hundredths(p.hours) / 100, text: p.hours, itemStyle: { color: '#b5651d' } })));
	const chart = echarts.init(container, null, { renderer: 'canvas' });
	chart.setOption({
		animation: false,
		grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
		xAxis: { type: 'value', minInterval: 1 },
		yAxis: { type: 'category', data: names, inverse: true, axisLabel: { width: 96, overflow: 'truncate' } },
		tooltip: { trigger: 'item', formatter: (item) => `${item.name}: ${formatHours(item.data.text)}` },
		series: [{ type: 'bar', data: values, label: { show: true, position: 'right', formatter: (item) => item.data.text } }],
	});
	const resize = () => chart.resize();
	window.addEventListener('resize', resize);
	window.addEventListener('hashchange', () => { window.removeEventListener('resize', resize); chart.dispose(); }, { once: true });
}

// id: the chart container's id (tests wait for its canvas).
export function chartPanel(t, card, id) {
	const container = h('div', { class: 'chart', id, role: 'img', 'aria-label': t('card.chart') });
	const figure = section(t('card.chart'), container,
		h('p', { class: 'chart-legend' },
			h('span', { class: 'swatch swatch-category' }), t('card.chart_category'), ' ',
			h('span', { class: 'swatch swatch-platform' }), t('card.chart_platform')));
	// Drawn once the container is in the document and has a size.
	requestAnimationFrame(() => drawChart(container, t, card).catch((error) => showProblem(figure, error)));
	return figure;
}

export function missingPanel(t, card) {
	if (!card.shortfalls.length)
		return section(t('card.missing'), h('p', { class: 'ok' }, t('card.missing_none')));
	const labels = Object.fromEntries(card.categories.map((c) => [c.category, c.label]));
	const nameOf = (s) => (s.kind === 'total' ? t('cat.total')
		: s.kind === 'category' ? s.name.split('+').map((key) => categoryName(t, key, labels[key])).join(' + ')
			: s.name);
	return section(t('card.missing'),
		h('ul', { class: 'shortfalls' }, card.shortfalls.map((s) => h('li', { 'data-kind': s.kind },
			t('card.missing_item', { name: nameOf(s), missing: formatHours(s.missing_hours), required: formatHours(s.required_hours) }),
			s.behind_pace ? h('span', { class: 'tag warn' }, t('card.behind')) : null))),
		h('p', {}, card.year_over ? t('card.year_over') : t('card.deadline', { date: formatDate(`${card.year}-12-31`) })));
}

// The records as a table; extraColumns (e.g. HR's actions) come last.
export function recordsTable(t, card, extraColumns = []) {
	const labels = Object.fromEntries(card.categories.map((c) => [c.category, c.label]));
	const columns = [
		{ label: t('card.col.date'), value: (r) => formatDateTime(r.session.starts_at) },
		{ label: t('card.col.title'), value: (r) => r.session.title },
		{ label: t('card.col.category'), value: (r) => categoryName(t, r.session.category, labels[r.session.category]) },
		{ label: t('card.col.platform'), value: (r) => r.session.platform || r.source_platform || '—' },
		{ label: t('card.col.organiser'), value: (r) => (r.session.organiser ? r.session.organiser.name : '') },
		{ label: t('card.col.hours'), numeric: true, value: (r) => (r.revoked ? `${r.credited_hours}（${t('card.revoked')}）` : r.credited_hours) },
		{ label: t('card.col.basis'), value: (r) => t(`card.basis.${r.basis}`) },
		...extraColumns,
	];
	return card.records.length ? table(columns, card.records) : empty(t('card.records_none'));
}

export function recordsPanel(t, card, extraColumns) {
	return section(t('card.records'), recordsTable(t, card, extraColumns));
}

export function printLink(t, officerId, year) {
	return h('a', { class: 'button secondary', href: `/cards/${officerId}/${year}`, target: '_blank', rel: 'noopener' }, t('card.print'));
}

// One certificate's facts and QR code; actions (nodes) under it. A live
// certificate past its expiry day says so next to its status.
export function certificateView(t, cert, actions) {
	const expired = (cert.status === 'valid' || cert.status === 'suspended') && cert.expires_on && cert.expires_on < chinaToday();
	const status = t(`card.cert_status.${cert.status}`) + (expired ? `（${t('card.cert.expired')}）` : '');
	return h('div', { class: 'certificate', 'data-certificate': String(cert.id), 'data-status': cert.status, 'data-expired': expired ? 'true' : 'false' },
		h('dl', { class: 'facts' },
			h('dt', {}, t('card.cert.number')), h('dd', {}, cert.number),
			h('dt', {}, t('card.cert.status')), h('dd', { class: expired ? 'cert-expired' : `cert-${cert.status}` }, status),
			h('dt', {}, t('card.cert.domain')), h('dd', {}, cert.domain || ''),
			h('dt', {}, t('card.cert.area')), h('dd', {}, cert.area || ''),
			h('dt', {}, t('card.cert.issuer')), h('dd', {}, cert.issuing_org_name || ''),
			h('dt', {}, t('card.cert.issued')), h('dd', {}, formatDate(cert.issued_on)),
			h('dt', {}, t('card.cert.expires')), h('dd', {}, formatDate(cert.expires_on))),
		h('figure', { class: 'qr' },
			h('img', { src: `/api/v1/certificates/${cert.id}/qr.svg`, alt: t('card.cert.qr'), width: '200', height: '200' }),
			h('figcaption', {}, t('card.cert.qr'))),
		actions || null);
}
