// audit_log.js — the audit log within the reader's scope (GET /api/v1/audit:
// filters actor, action, target type and id, a date range, newest or oldest
// first; paged by the API's cursor), each entry's before and after shown on
// request, and the hash chain's verification (GET /api/v1/audit/verify) as a
// plain intact / broken verdict.
import { formatDateTime, formatNumber } from '../i18n.js';
import { clearProblem, field, h, loading, section, showProblem, table, whileBusy } from '../ui.js';
import { choiceSelect, formValues, pager, queryOf } from './audit_common.js';

export const strings = {
	zh: {
		'audit.log.title': '审计日志',
		'audit.log.verify': '审计链校验',
		'audit.log.verify_again': '重新校验',
		'audit.log.verifying': '正在校验审计链…',
		'audit.log.ok': '审计链完整',
		'audit.log.ok_detail': '已核验 {checked} 条记录，最新为第 {head} 条，{checkpoints} 个检查点均一致。',
		'audit.log.broken': '审计链已断裂',
		'audit.log.broken_detail': '第 {seq} 条记录起无法核验：{reason}（{detail}）。请立即报告系统管理员。',
		'audit.log.actor': '操作人', 'audit.log.action': '操作类型', 'audit.log.target_type': '对象类型', 'audit.log.target_id': '对象编号',
		'audit.log.from': '起始日期', 'audit.log.to': '截止日期', 'audit.log.order': '顺序',
		'audit.log.order.desc': '最新在前', 'audit.log.order.asc': '最早在前',
		'audit.log.apply': '查询',
		'audit.log.none': '没有符合条件的记录。',
		'audit.log.col.seq': '序号', 'audit.log.col.at': '时间', 'audit.log.col.actor': '操作人', 'audit.log.col.action': '操作',
		'audit.log.col.target': '对象', 'audit.log.col.scope': '单位路径', 'audit.log.col.change': '变更内容',
		'audit.log.show': '查看', 'audit.log.before': '变更前', 'audit.log.after': '变更后', 'audit.log.global': '（全局）',
	},
	en: {
		'audit.log.title': 'Audit log',
		'audit.log.verify': 'Chain verification',
		'audit.log.verify_again': 'Verify again',
		'audit.log.verifying': 'Verifying the audit chain…',
		'audit.log.ok': 'The audit chain is intact',
		'audit.log.ok_detail': '{checked} entries checked, head at entry {head}, {checkpoints} checkpoints hold.',
		'audit.log.broken': 'The audit chain is broken',
		'audit.log.broken_detail': 'From entry {seq} on it cannot be verified: {reason} ({detail}). Tell the administrator now.',
		'audit.log.actor': 'Actor', 'audit.log.action': 'Action', 'audit.log.target_type': 'Target type', 'audit.log.target_id': 'Target id',
		'audit.log.from': 'From', 'audit.log.to': 'To', 'audit.log.order': 'Order',
		'audit.log.order.desc': 'Newest first', 'audit.log.order.asc': 'Oldest first',
		'audit.log.apply': 'Search',
		'audit.log.none': 'No entries match.',
		'audit.log.col.seq': 'No.', 'audit.log.col.at': 'Time', 'audit.log.col.actor': 'Actor', 'audit.log.col.action': 'Action',
		'audit.log.col.target': 'Target', 'audit.log.col.scope': 'Unit path', 'audit.log.col.change': 'Change',
		'audit.log.show': 'Show', 'audit.log.before': 'Before', 'audit.log.after': 'After', 'audit.log.global': '(global)',
	},
};

const PAGE_SIZE = 50;
const FILTERS = ['actor', 'action', 'target_type', 'target_id', 'from', 'to'];

function verifyPanel(ctx) {
	const { t } = ctx;
	const result = h('div', { class: 'verify-result', 'aria-live': 'polite' });
	const again = h('button', { type: 'button', class: 'secondary', 'data-action': 'verify' }, t('audit.log.verify_again'));
	const panel = section(t('audit.log.verify'), result, h('p', { class: 'actions' }, again));
	async function verify() {
		result.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('audit.log.verifying')));
		clearProblem(panel);
		try {
			const report = await ctx.api.get('/api/v1/audit/verify');
			result.replaceChildren(report.ok
				? h('div', { class: 'verdict verdict-ok', 'data-verdict': 'ok', role: 'status' },
					h('p', { class: 'verdict-title' }, `✔ ${t('audit.log.ok')}`),
					h('p', {}, t('audit.log.ok_detail', { checked: formatNumber(report.checked), head: formatNumber(report.head_seq), checkpoints: formatNumber(report.checkpoints) })))
				: h('div', { class: 'verdict verdict-broken', 'data-verdict': 'broken', role: 'alert' },
					h('p', { class: 'verdict-title' }, `✖ ${t('audit.log.broken')}`),
					h('p', {}, t('audit.log.broken_detail', {
						seq: formatNumber(report.first_broken ? report.first_broken.seq : 0),
						reason: report.first_broken ? report.first_broken.reason : '',
						detail: report.first_broken ? report.first_broken.detail : '',
					}))));
		} catch (error) {
			result.replaceChildren();
			showProblem(panel, error);
		}
	}
	again.addEventListener('click', () => whileBusy(again, verify));
	whileBusy(again, verify);
	return panel;
}

function filterForm(ctx, filters) {
	const { t } = ctx;
	const form = h('form', { class: 'form filters', 'data-form': 'audit-filters', novalidate: true },
		field({ label: t('audit.log.actor'), name: 'actor', value: filters.actor || '', autocomplete: 'off', maxlength: '100' }),
		field({ label: t('audit.log.action'), name: 'action', value: filters.action || '', autocomplete: 'off', maxlength: '100', placeholder: 'certificate.status' }),
		field({ label: t('audit.log.target_type'), name: 'target_type', value: filters.target_type || '', autocomplete: 'off', maxlength: '100', placeholder: 'certificate' }),
		field({ label: t('audit.log.target_id'), name: 'target_id', value: filters.target_id || '', autocomplete: 'off', maxlength: '100' }),
		field({ label: t('audit.log.from'), name: 'from', type: 'date', value: filters.from || '' }),
		field({ label: t('audit.log.to'), name: 'to', type: 'date', value: filters.to || '' }),
		choiceSelect('order', filters.order, t('audit.log.order'), [['desc', t('audit.log.order.desc')], ['asc', t('audit.log.order.asc')]]),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.log.apply'))));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		ctx.navigate('audit/log', formValues(form));
	});
	return form;
}

function changeCell(ctx, entry) {
	const { t } = ctx;
	if (!entry.before && !entry.after)
		return '—';
	return h('details', { class: 'audit-change' },
		h('summary', {}, t('audit.log.show')),
		entry.before ? [h('p', { class: 'hint' }, t('audit.log.before')), h('pre', {}, JSON.stringify(entry.before, null, 1))] : null,
		entry.after ? [h('p', { class: 'hint' }, t('audit.log.after')), h('pre', {}, JSON.stringify(entry.after, null, 1))] : null);
}

export async function render(root, ctx) {
	const { t } = ctx;
	const filters = { order: ctx.params.order === 'asc' ? 'asc' : 'desc' };
	for (const name of FILTERS)
		if (ctx.params[name])
			filters[name] = ctx.params[name];
	const form = filterForm(ctx, filters);
	const body = h('div', { class: 'list-body' });
	const panel = section(t('audit.log.title'), form, body);
	panel.querySelector('h2').remove();
	root.append(h('h1', {}, t('audit.log.title')), verifyPanel(ctx), panel);
	const columns = [
		{ label: t('audit.log.col.seq'), numeric: true, value: (e) => String(e.seq) },
		{ label: t('audit.log.col.at'), value: (e) => formatDateTime(e.at) },
		{ label: t('audit.log.col.actor'), value: (e) => e.actor || '' },
		{ label: t('audit.log.col.action'), value: (e) => h('code', {}, e.action) },
		{ label: t('audit.log.col.target'), value: (e) => (e.target_type ? `${e.target_type}${e.target_id ? ` #${e.target_id}` : ''}` : '—') },
		{ label: t('audit.log.col.scope'), value: (e) => e.org_path || t('audit.log.global') },
		{ label: t('audit.log.col.change'), value: (e) => changeCell(ctx, e) },
	];
	async function show(cursor) {
		body.replaceChildren(loading());
		clearProblem(panel, form);
		try {
			const page = await ctx.api.get(`/api/v1/audit?${queryOf({ ...filters, limit: PAGE_SIZE, cursor })}`);
			const items = page.items || [];
			body.replaceChildren(
				items.length ? table(columns, items) : h('p', { class: 'empty' }, t('audit.log.none')),
				pager(ctx, cursor, page.next_cursor, show));
		} catch (error) {
			body.replaceChildren();
			showProblem(panel, error, form);
		}
	}
	await show(null);
}
