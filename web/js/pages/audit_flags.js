// audit_flags.js — the withdrawal flags review queue (DOMAIN.md rules 8–10):
// open flags counted by reason (GET /api/v1/flags/summary), the list filtered
// by state, reason, unit and year (GET /api/v1/flags, paged), and one flag with
// its details and history (GET /api/v1/flags/{id}). An open flag is confirmed
// with an action (suspend, withdraw or cancel the certificate, POST …/confirm)
// or dismissed with a reason (POST …/dismiss; a lapsed flag may be dismissed
// too). The server decides: its refusals show next to the inputs.
import { currentYear, formatDateTime, formatNumber, getLang } from '../i18n.js';
import { clearProblem, field, h, loading, section, showProblem, table, whileBusy } from '../ui.js';
import { choiceSelect, formValues, halfOf, orgSelect, pager, queryOf } from './audit_common.js';

export const strings = {
	zh: {
		'audit.flags.title': '收回执法证复核队列',
		'audit.flags.summary': '待复核：{n} 条',
		'audit.flags.state': '状态', 'audit.flags.reason': '原因', 'audit.flags.org': '单位（含下级）', 'audit.flags.org_all': '我管辖的全部单位',
		'audit.flags.year': '年度', 'audit.flags.year_all': '全部年度', 'audit.flags.any': '全部', 'audit.flags.apply': '筛选',
		'audit.flags.none': '没有符合条件的标记。',
		'audit.flags.state.open': '待复核', 'audit.flags.state.confirmed': '已确认', 'audit.flags.state.dismissed': '已驳回', 'audit.flags.state.lapsed': '已失效',
		'audit.flags.reason.hours_short': '学时不达标', 'audit.flags.reason.assessment_fail_twice': '连续两年考核不称职',
		'audit.flags.reason.left_post': '离岗', 'audit.flags.reason.not_eligible': '不具备持证资格',
		'audit.flags.col.officer': '人员', 'audit.flags.col.unit': '单位', 'audit.flags.col.year': '年度', 'audit.flags.col.reason': '原因',
		'audit.flags.col.certificate': '执法证号', 'audit.flags.col.state': '状态', 'audit.flags.col.created': '产生时间', 'audit.flags.col.open': '操作',
		'audit.flags.open': '查看与复核',
		'audit.flags.detail': '标记 #{id}',
		'audit.flags.close': '关闭',
		'audit.flags.holds': '当前是否仍成立', 'audit.flags.holds_yes': '成立', 'audit.flags.holds_no': '已不成立',
		'audit.flags.details': '依据', 'audit.flags.review': '复核结果', 'audit.flags.reviewed_by': '复核人', 'audit.flags.reviewed_at': '复核时间',
		'audit.flags.review_note': '复核说明',
		'audit.flags.history': '处理经过', 'audit.flags.history_none': '暂无记录。',
		'audit.flags.confirm': '确认标记', 'audit.flags.action': '处理方式', 'audit.flags.note': '说明（可选）',
		'audit.flags.action.suspend': '暂扣执法证', 'audit.flags.action.withdraw': '收回执法证', 'audit.flags.action.cancel': '注销执法证',
		'audit.flags.confirm_submit': '确认并处理',
		'audit.flags.dismiss': '驳回标记', 'audit.flags.dismiss_reason': '驳回理由', 'audit.flags.dismiss_submit': '驳回',
		'audit.flags.done_confirmed': '已确认，执法证已按所选方式处理。', 'audit.flags.done_dismissed': '已驳回。',
		'audit.flags.no_review': '该标记已处理，不能再复核。',
		'audit.flags.key.officer_kind': '人员类别', 'audit.flags.key.officer_status': '人员状态', 'audit.flags.key.enforcement_post': '执法岗位',
		'audit.flags.key.certificate_number': '执法证号', 'audit.flags.key.counted_hours': '已计学时', 'audit.flags.key.required_hours': '应完成学时',
		'audit.flags.key.grade': '考核等次', 'audit.flags.key.previous_grade': '上年考核等次', 'audit.flags.key.status': '状态',
		'audit.flags.bool.true': '是', 'audit.flags.bool.false': '否',
		'audit.flags.value.officer': '执法人员', 'audit.flags.value.auxiliary': '辅助人员', 'audit.flags.value.active': '在岗',
		'audit.flags.value.retired': '退休', 'audit.flags.value.transferred': '调离', 'audit.flags.value.resigned': '辞职', 'audit.flags.value.dismissed': '辞退',
		'audit.flags.value.fail': '不称职', 'audit.flags.value.pass': '称职', 'audit.flags.value.basic': '基本称职', 'audit.flags.value.excellent': '优秀',
		'audit.flags.event.raised': '产生', 'audit.flags.event.lapsed': '失效', 'audit.flags.event.reopened': '重新成立',
		'audit.flags.event.confirmed': '确认', 'audit.flags.event.dismissed': '驳回', 'audit.flags.event.reevaluated': '重新评估',
	},
	en: {
		'audit.flags.title': 'Withdrawal flags review queue',
		'audit.flags.summary': 'Open: {n}',
		'audit.flags.state': 'State', 'audit.flags.reason': 'Reason', 'audit.flags.org': 'Unit (with its subunits)', 'audit.flags.org_all': 'All my units',
		'audit.flags.year': 'Year', 'audit.flags.year_all': 'Any year', 'audit.flags.any': 'Any', 'audit.flags.apply': 'Filter',
		'audit.flags.none': 'No flags match these filters.',
		'audit.flags.state.open': 'Open', 'audit.flags.state.confirmed': 'Confirmed', 'audit.flags.state.dismissed': 'Dismissed', 'audit.flags.state.lapsed': 'Lapsed',
		'audit.flags.reason.hours_short': 'Hours short', 'audit.flags.reason.assessment_fail_twice': 'Failed assessment twice',
		'audit.flags.reason.left_post': 'Left the post', 'audit.flags.reason.not_eligible': 'Not eligible',
		'audit.flags.col.officer': 'Officer', 'audit.flags.col.unit': 'Unit', 'audit.flags.col.year': 'Year', 'audit.flags.col.reason': 'Reason',
		'audit.flags.col.certificate': 'Certificate', 'audit.flags.col.state': 'State', 'audit.flags.col.created': 'Raised', 'audit.flags.col.open': 'Action',
		'audit.flags.open': 'Open and review',
		'audit.flags.detail': 'Flag #{id}',
		'audit.flags.close': 'Close',
		'audit.flags.holds': 'Still holds', 'audit.flags.holds_yes': 'Yes', 'audit.flags.holds_no': 'No longer',
		'audit.flags.details': 'Grounds', 'audit.flags.review': 'Review', 'audit.flags.reviewed_by': 'Reviewed by', 'audit.flags.reviewed_at': 'Reviewed at',
		'audit.flags.review_note': 'Review note',
		'audit.flags.history': 'History', 'audit.flags.history_none': 'Nothing yet.',
		'audit.flags.confirm': 'Confirm the flag', 'audit.flags.action': 'Action', 'audit.flags.note': 'Note (optional)',
		'audit.flags.action.suspend': 'Suspend the certificate', 'audit.flags.action.withdraw': 'Withdraw the certificate', 'audit.flags.action.cancel': 'Cancel the certificate',
		'audit.flags.confirm_submit': 'Confirm and apply',
		'audit.flags.dismiss': 'Dismiss the flag', 'audit.flags.dismiss_reason': 'Reason for dismissing', 'audit.flags.dismiss_submit': 'Dismiss',
		'audit.flags.done_confirmed': 'Confirmed; the certificate was changed as chosen.', 'audit.flags.done_dismissed': 'Dismissed.',
		'audit.flags.no_review': 'This flag was dealt with and cannot be reviewed again.',
		'audit.flags.key.officer_kind': 'Kind', 'audit.flags.key.officer_status': 'Officer status', 'audit.flags.key.enforcement_post': 'On an enforcement post',
		'audit.flags.key.certificate_number': 'Certificate', 'audit.flags.key.counted_hours': 'Counted hours', 'audit.flags.key.required_hours': 'Required hours',
		'audit.flags.key.grade': 'Grade', 'audit.flags.key.previous_grade': "Last year's grade", 'audit.flags.key.status': 'Status',
		'audit.flags.bool.true': 'yes', 'audit.flags.bool.false': 'no',
		'audit.flags.value.officer': 'officer', 'audit.flags.value.auxiliary': 'auxiliary', 'audit.flags.value.active': 'active',
		'audit.flags.value.retired': 'retired', 'audit.flags.value.transferred': 'transferred', 'audit.flags.value.resigned': 'resigned', 'audit.flags.value.dismissed': 'dismissed',
		'audit.flags.value.fail': 'fail', 'audit.flags.value.pass': 'pass', 'audit.flags.value.basic': 'basic', 'audit.flags.value.excellent': 'excellent',
		'audit.flags.event.raised': 'Raised', 'audit.flags.event.lapsed': 'Lapsed', 'audit.flags.event.reopened': 'Holds again',
		'audit.flags.event.confirmed': 'Confirmed', 'audit.flags.event.dismissed': 'Dismissed', 'audit.flags.event.reevaluated': 'Re-evaluated',
	},
};

const STATES = ['open', 'lapsed', 'confirmed', 'dismissed'];
const REASONS = ['hours_short', 'assessment_fail_twice', 'left_post', 'not_eligible'];
const ACTIONS = ['withdraw', 'suspend', 'cancel'];
const PAGE_SIZE = 50;

// A translated label, or the raw value when there is none.
function label(t, key, value) {
	const text = t(`${key}.${value}`);
	return text === `${key}.${value}` ? String(value ?? '') : text;
}

// The evaluation's details as "key: value" lines (hours stay the API's text).
function detailsList(t, details) {
	if (!details || typeof details !== 'object')
		return null;
	const lines = [];
	for (const [key, value] of Object.entries(details)) {
		if (key === 'shortfalls' && Array.isArray(value))
			value.forEach((s) => lines.push(halfOf(s.message || `${s.name}: ${s.missing_hours}`, getLang())));
		else if (value !== null && typeof value !== 'object')
			lines.push(`${label(t, 'audit.flags.key', key)}: ${typeof value === 'boolean' ? label(t, 'audit.flags.bool', value) : label(t, 'audit.flags.value', value)}`);
	}
	return lines.length ? h('ul', { class: 'flag-details' }, lines.map((line) => h('li', {}, line))) : null;
}

function filterForm(ctx, filters) {
	const { t } = ctx;
	const now = currentYear();
	const years = [['', t('audit.flags.year_all')]];
	for (let y = now; y >= now - 5; y--)
		years.push([String(y), String(y)]);
	const form = h('form', { class: 'form filters', 'data-form': 'flag-filters', novalidate: true },
		choiceSelect('state', filters.state, t('audit.flags.state'), [['', t('audit.flags.any')], ...STATES.map((s) => [s, label(t, 'audit.flags.state', s)])]),
		choiceSelect('reason', filters.reason, t('audit.flags.reason'), [['', t('audit.flags.any')], ...REASONS.map((r) => [r, label(t, 'audit.flags.reason', r)])]),
		orgSelect(ctx, 'org', filters.org, t('audit.flags.org'), t('audit.flags.org_all')),
		choiceSelect('year', filters.year, t('audit.flags.year'), years),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('audit.flags.apply'))));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		// "Any state" is sent as state= so that the default (open) does not come back.
		const values = formValues(form);
		ctx.navigate('audit/flags', { ...values, state: values.state || 'any' });
	});
	return form;
}

function historyList(ctx, history) {
	const { t } = ctx;
	if (!history || !history.length)
		return h('p', { class: 'empty' }, t('audit.flags.history_none'));
	return h('ol', { class: 'flag-history' }, history.map((e) => h('li', { 'data-event': e.event },
		h('span', { class: 'when' }, formatDateTime(e.at)), ' ',
		h('strong', {}, label(t, 'audit.flags.event', e.event)), ' · ', e.actor || '',
		e.note ? h('p', { class: 'note' }, e.note) : null,
		detailsList(t, e.details))));
}

// The confirm and dismiss forms of flag (what its state allows); done(kind)
// runs after the server accepted one.
function reviewForms(ctx, flag, panel, done) {
	const { t } = ctx;
	const forms = [];
	if (flag.state === 'open') {
		const confirm = h('form', { class: 'form', 'data-form': 'flag-confirm', novalidate: true },
			h('h3', {}, t('audit.flags.confirm')),
			field({ label: t('audit.flags.action'), name: 'action', type: 'select', options: ACTIONS.map((a) => h('option', { value: a }, t(`audit.flags.action.${a}`))) }),
			field({ label: t('audit.flags.note'), name: 'note', maxlength: '500', autocomplete: 'off' }),
			h('p', { class: 'actions' }, h('button', { type: 'submit', 'data-action': 'confirm' }, t('audit.flags.confirm_submit'))));
		confirm.addEventListener('submit', (event) => {
			event.preventDefault();
			const button = confirm.querySelector('button[type="submit"]');
			const body = { action: confirm.elements.action.value };
			if (confirm.elements.note.value.trim())
				body.note = confirm.elements.note.value.trim();
			whileBusy(button, async () => {
				clearProblem(panel, confirm);
				try {
					await ctx.api.post(`/api/v1/flags/${flag.id}/confirm`, body);
					done('confirmed');
				} catch (error) {
					showProblem(panel, error, confirm);
				}
			});
		});
		forms.push(confirm);
	}
	if (flag.state === 'open' || flag.state === 'lapsed') {
		const dismiss = h('form', { class: 'form', 'data-form': 'flag-dismiss', novalidate: true },
			h('h3', {}, t('audit.flags.dismiss')),
			field({ label: t('audit.flags.dismiss_reason'), name: 'reason', maxlength: '500', autocomplete: 'off', required: true }),
			h('p', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', 'data-action': 'dismiss' }, t('audit.flags.dismiss_submit'))));
		dismiss.addEventListener('submit', (event) => {
			event.preventDefault();
			const button = dismiss.querySelector('button[type="submit"]');
			whileBusy(button, async () => {
				clearProblem(panel, dismiss);
				try {
					await ctx.api.post(`/api/v1/flags/${flag.id}/dismiss`, { reason: dismiss.elements.reason.value.trim() });
					done('dismissed');
				} catch (error) {
					showProblem(panel, error, dismiss);
				}
			});
		});
		forms.push(dismiss);
	}
	return forms.length ? h('div', { class: 'review-forms' }, forms) : h('p', { class: 'hint' }, t('audit.flags.no_review'));
}

// The panel of one flag, loaded into holder; reload() refreshes the list.
async function showFlag(ctx, holder, id, reload, notice) {
	const { t } = ctx;
	holder.replaceChildren(loading());
	let flag;
	try {
		flag = await ctx.api.get(`/api/v1/flags/${id}`);
	} catch (error) {
		holder.replaceChildren();
		showProblem(holder, error);
		return;
	}
	const panel = h('section', { class: 'panel flag-detail', 'data-flag': String(flag.id), 'data-state': flag.state, 'aria-live': 'polite' },
		h('div', { class: 'page-head' },
			h('h2', {}, t('audit.flags.detail', { id: flag.id })),
			h('button', { type: 'button', class: 'secondary', 'data-action': 'close', onclick: () => holder.replaceChildren() }, t('audit.flags.close'))),
		notice ? h('p', { class: 'ok', role: 'status', 'data-notice': 'done' }, notice) : null,
		h('dl', { class: 'facts' },
			h('dt', {}, t('audit.flags.col.officer')), h('dd', {}, flag.officer_name || ''),
			h('dt', {}, t('audit.flags.col.unit')), h('dd', {}, flag.org_name || ''),
			h('dt', {}, t('audit.flags.col.year')), h('dd', {}, String(flag.year)),
			h('dt', {}, t('audit.flags.col.reason')), h('dd', {}, label(t, 'audit.flags.reason', flag.reason)),
			h('dt', {}, t('audit.flags.col.certificate')), h('dd', {}, flag.certificate_number || '—'),
			h('dt', {}, t('audit.flags.col.state')), h('dd', { class: `flag-state-${flag.state}`, 'data-field': 'state' }, label(t, 'audit.flags.state', flag.state)),
			h('dt', {}, t('audit.flags.holds')), h('dd', {}, flag.holds ? t('audit.flags.holds_yes') : t('audit.flags.holds_no')),
			flag.review_action ? [h('dt', {}, t('audit.flags.review')), h('dd', {}, label(t, 'audit.flags.action', flag.review_action))] : null,
			flag.review_note ? [h('dt', {}, t('audit.flags.review_note')), h('dd', {}, flag.review_note)] : null,
			flag.reviewed_by ? [h('dt', {}, t('audit.flags.reviewed_by')), h('dd', {}, flag.reviewed_by)] : null,
			flag.reviewed_at ? [h('dt', {}, t('audit.flags.reviewed_at')), h('dd', {}, formatDateTime(flag.reviewed_at))] : null),
		h('h3', {}, t('audit.flags.details')), detailsList(t, flag.details) || h('p', { class: 'empty' }, '—'));
	panel.append(reviewForms(ctx, flag, panel, (kind) => {
		reload();
		showFlag(ctx, holder, id, reload, t(`audit.flags.done_${kind}`));
	}), h('h3', {}, t('audit.flags.history')), historyList(ctx, flag.history));
	holder.replaceChildren(panel);
	panel.scrollIntoView({ block: 'start' });
}

export async function render(root, ctx) {
	const { t } = ctx;
	const state = ctx.params.state === 'any' ? '' : STATES.includes(ctx.params.state) ? ctx.params.state : 'open';
	const filters = {
		state,
		reason: REASONS.includes(ctx.params.reason) ? ctx.params.reason : '',
		org: /^\d+$/.test(ctx.params.org || '') ? ctx.params.org : '',
		year: /^20\d\d$/.test(ctx.params.year || '') ? ctx.params.year : '',
	};
	const form = filterForm(ctx, { ...filters, state: ctx.params.state === 'any' ? '' : state });
	const summary = h('p', { class: 'flag-summary', 'data-summary': '' });
	const body = h('div', { class: 'list-body' });
	const detail = h('div', { class: 'flag-holder' });
	const panel = section(t('audit.flags.title'), form, summary, body);
	panel.querySelector('h2').remove();
	// The flag under review sits above the list, where the clerk is looking.
	root.append(h('h1', {}, t('audit.flags.title')), detail, panel);
	const columns = [
		{ label: t('audit.flags.col.officer'), value: (f) => f.officer_name || '' },
		{ label: t('audit.flags.col.unit'), value: (f) => f.org_name || '' },
		{ label: t('audit.flags.col.year'), value: (f) => String(f.year) },
		{ label: t('audit.flags.col.reason'), value: (f) => label(t, 'audit.flags.reason', f.reason) },
		{ label: t('audit.flags.col.certificate'), value: (f) => f.certificate_number || '—' },
		{ label: t('audit.flags.col.state'), value: (f) => h('span', { class: `flag-state-${f.state}`, 'data-state': f.state }, label(t, 'audit.flags.state', f.state)) },
		{ label: t('audit.flags.col.created'), value: (f) => formatDateTime(f.created_at) },
		{ label: t('audit.flags.col.open'), value: (f) => h('button', { type: 'button', class: 'secondary', 'data-action': 'open', 'data-flag': String(f.id), onclick: () => showFlag(ctx, detail, f.id, reload) }, t('audit.flags.open')) },
	];
	let cursorShown = null;

	async function loadSummary() {
		const query = queryOf({ org: filters.org, year: filters.year, reason: filters.reason });
		const result = await ctx.api.get(`/api/v1/flags/summary${query ? `?${query}` : ''}`);
		const byReason = new Map();
		let total = 0;
		for (const item of result.items || []) {
			byReason.set(item.reason, (byReason.get(item.reason) || 0) + item.count);
			total += item.count;
		}
		summary.replaceChildren(
			h('strong', { 'data-open-total': String(total) }, t('audit.flags.summary', { n: formatNumber(total) })),
			...[...byReason].map(([reason, n]) => h('span', { class: 'tag', 'data-reason': reason }, `${label(t, 'audit.flags.reason', reason)} ${formatNumber(n)}`)));
	}

	async function show(cursor) {
		cursorShown = cursor;
		body.replaceChildren(loading());
		clearProblem(panel, form);
		try {
			const [page] = await Promise.all([
				ctx.api.get(`/api/v1/flags?${queryOf({ ...filters, limit: PAGE_SIZE, cursor })}`),
				loadSummary(),
			]);
			const items = page.items || [];
			body.replaceChildren(
				items.length ? table(columns, items) : h('p', { class: 'empty' }, t('audit.flags.none')),
				pager(ctx, cursor, page.next_cursor, show));
		} catch (error) {
			body.replaceChildren();
			showProblem(panel, error, form);
		}
	}
	function reload() {
		return show(cursorShown);
	}
	await show(null);
	if (/^\d+$/.test(ctx.params.flag || ''))
		await showFlag(ctx, detail, ctx.params.flag, reload);
}
