// hr_officer.js — one officer for HR: the record (national ID masked; a reveal
// is the API's audited ?reveal=national_id), the training card of a year
// (card_view.js, as the officer sees it) with partial credit and revocation per
// record, and the officer's certificates: issue one, change a status along the
// transitions the API allows. #/hr/officer?id=11&year=2026
import {
	certificateView, chartPanel, missingPanel, printLink, progressPanel, recordsTable, withCardStrings, yearPicker,
} from '../card_view.js';
import { ApiError } from '../api.js';
import { chinaToday, formatDate, yearParam } from '../i18n.js';
import { empty, field, h, section } from '../ui.js';
import { allItems, busy, notice, officerStatusStrings } from './hr_common.js';

export const strings = withCardStrings({
	zh: {
		...officerStatusStrings.zh,
		'hr.officer.title': '执法人员培训登记卡',
		'hr.officer.back': '返回人员列表',
		'hr.officer.details': '基本信息',
		'hr.officer.name': '姓名', 'hr.officer.national_id': '身份证号', 'hr.officer.gender': '性别',
		'hr.officer.birth': '出生日期', 'hr.officer.unit': '单位', 'hr.officer.kind': '人员类别',
		'hr.officer.post': '岗位', 'hr.officer.enforcement_post': '执法岗位', 'hr.officer.hire': '入职日期',
		'hr.officer.status': '状态', 'hr.officer.status_date': '状态日期',
		'hr.officer.gender.M': '男', 'hr.officer.gender.F': '女',
		'hr.officer.kind.officer': '执法人员', 'hr.officer.kind.auxiliary': '辅助人员',
		'hr.officer.yes': '是', 'hr.officer.no': '否',
		'hr.officer.reveal': '显示完整身份证号',
		'hr.officer.reveal_note': '查看完整身份证号将记入审计日志。',
		'hr.officer.revealed': '已显示（已记入审计日志）',
		'hr.officer.actions': '操作',
		'hr.officer.partial': '部分认定',
		'hr.officer.revoke': '撤销',
		'hr.officer.restore': '恢复',
		'hr.officer.partial_title': '部分认定学时：{title}',
		'hr.officer.revoke_title': '撤销培训记录：{title}',
		'hr.officer.restore_title': '恢复培训记录：{title}',
		'hr.officer.hours': '认定学时',
		'hr.officer.hours_hint': '大于 0、不超过 24，最多两位小数，如 1.5',
		'hr.officer.override_reason': '认定说明',
		'hr.officer.override_hint': '如：中途离场',
		'hr.officer.revoked_reason': '撤销原因',
		'hr.officer.save': '保存',
		'hr.officer.cancel': '取消',
		'hr.officer.saved': '已保存，学时已重新计算。',
		'hr.officer.record_gone': '找不到这条培训记录，可能已被他人修改，请刷新页面。',
		'hr.officer.certificates': '执法证',
		'hr.officer.cert_change': '变更状态',
		'hr.officer.cert_final': '该证已注销，不能再变更状态。',
		'hr.officer.cert_to': '变更为',
		'hr.officer.cert_reason_category': '原因类别',
		'hr.officer.cert_reason': '说明',
		'hr.officer.cert_reason_hint': '原因为“其他”时必填',
		'hr.officer.cert_changed': '执法证状态已变更。',
		'hr.officer.issue': '核发执法证',
		'hr.officer.issue_open': '核发新证',
		'hr.officer.cert_number': '证号', 'hr.officer.cert_domain': '执法类别', 'hr.officer.cert_area': '执法区域',
		'hr.officer.cert_issuer': '发证机关', 'hr.officer.cert_issued_on': '发证日期', 'hr.officer.cert_expires_on': '有效期至',
		'hr.officer.cert_custody': '保管', 'hr.officer.custody.unit_hr': '单位保管', 'hr.officer.custody.officer': '本人保管',
		'hr.officer.issued': '执法证已核发。',
		'hr.officer.issue_rule': '只有在岗、在执法岗位上的执法人员（非辅助人员）可以持证，同一执法类别只能有一个有效或暂扣的证。',
		'reason.transferred': '调动', 'reason.resigned': '辞职', 'reason.dismissed': '辞退', 'reason.retired': '退休',
		'reason.hours_short': '学时不足', 'reason.assessment_fail': '考核不合格', 'reason.not_eligible': '不符合持证条件',
		'reason.lost': '遗失', 'reason.expired': '过期', 'reason.misconduct': '违纪违法', 'reason.reinstated': '恢复', 'reason.other': '其他',
	},
	en: {
		...officerStatusStrings.en,
		'hr.officer.title': 'Officer training card',
		'hr.officer.back': 'Back to the officers',
		'hr.officer.details': 'Record',
		'hr.officer.name': 'Name', 'hr.officer.national_id': 'National ID', 'hr.officer.gender': 'Gender',
		'hr.officer.birth': 'Born', 'hr.officer.unit': 'Unit', 'hr.officer.kind': 'Kind',
		'hr.officer.post': 'Post', 'hr.officer.enforcement_post': 'Enforcement post', 'hr.officer.hire': 'Hired',
		'hr.officer.status': 'Status', 'hr.officer.status_date': 'Since',
		'hr.officer.gender.M': 'Male', 'hr.officer.gender.F': 'Female',
		'hr.officer.kind.officer': 'Officer', 'hr.officer.kind.auxiliary': 'Auxiliary',
		'hr.officer.yes': 'Yes', 'hr.officer.no': 'No',
		'hr.officer.reveal': 'Show the whole ID',
		'hr.officer.reveal_note': 'Showing the whole national ID is written to the audit log.',
		'hr.officer.revealed': 'shown (written to the audit log)',
		'hr.officer.actions': 'Actions',
		'hr.officer.partial': 'Partial credit',
		'hr.officer.revoke': 'Revoke',
		'hr.officer.restore': 'Restore',
		'hr.officer.partial_title': 'Partial credit: {title}',
		'hr.officer.revoke_title': 'Revoke the record: {title}',
		'hr.officer.restore_title': 'Restore the record: {title}',
		'hr.officer.hours': 'Credited hours',
		'hr.officer.hours_hint': 'More than 0, at most 24, two decimals, e.g. 1.5',
		'hr.officer.override_reason': 'Reason',
		'hr.officer.override_hint': 'e.g. left early',
		'hr.officer.revoked_reason': 'Reason for revoking',
		'hr.officer.save': 'Save',
		'hr.officer.cancel': 'Cancel',
		'hr.officer.saved': 'Saved; the hours were evaluated again.',
		'hr.officer.record_gone': 'This record cannot be found; someone may have changed it. Reload the page.',
		'hr.officer.certificates': 'Certificates',
		'hr.officer.cert_change': 'Change status',
		'hr.officer.cert_final': 'This certificate is cancelled: no further change.',
		'hr.officer.cert_to': 'New status',
		'hr.officer.cert_reason_category': 'Reason',
		'hr.officer.cert_reason': 'Note',
		'hr.officer.cert_reason_hint': 'Required when the reason is "other"',
		'hr.officer.cert_changed': 'The certificate status was changed.',
		'hr.officer.issue': 'Issue a certificate',
		'hr.officer.issue_open': 'Issue a new certificate',
		'hr.officer.cert_number': 'Number', 'hr.officer.cert_domain': 'Domain', 'hr.officer.cert_area': 'Area',
		'hr.officer.cert_issuer': 'Issued by', 'hr.officer.cert_issued_on': 'Issued on', 'hr.officer.cert_expires_on': 'Valid until',
		'hr.officer.cert_custody': 'Kept by', 'hr.officer.custody.unit_hr': 'the unit (HR)', 'hr.officer.custody.officer': 'the officer',
		'hr.officer.issued': 'The certificate was issued.',
		'hr.officer.issue_rule': 'Only an active officer (not auxiliary staff) on an enforcement post holds one; one valid or suspended certificate per domain.',
		'reason.transferred': 'Transferred', 'reason.resigned': 'Resigned', 'reason.dismissed': 'Dismissed', 'reason.retired': 'Retired',
		'reason.hours_short': 'Hours short', 'reason.assessment_fail': 'Failed assessment', 'reason.not_eligible': 'Not eligible',
		'reason.lost': 'Lost', 'reason.expired': 'Expired', 'reason.misconduct': 'Misconduct', 'reason.reinstated': 'Reinstated', 'reason.other': 'Other',
	},
});

// certificate_reason_valid() of schema 008; reinstated goes with valid only.
const REASONS = ['transferred', 'resigned', 'dismissed', 'retired', 'hours_short', 'assessment_fail', 'not_eligible', 'lost', 'expired', 'misconduct', 'other'];

function detailsPanel(t, api, officer) {
	const idText = h('span', { 'data-national-id': '' }, officer.national_id_masked || '');
	const reveal = h('button', { type: 'button', class: 'link-button', 'data-action': 'reveal', title: t('hr.officer.reveal_note') }, t('hr.officer.reveal'));
	const panel = section(t('hr.officer.details'));
	reveal.addEventListener('click', () => busy(reveal, panel, null, async () => {
		const whole = await api.get(`/api/v1/officers/${officer.id}?reveal=national_id`);
		idText.textContent = whole.national_id || officer.national_id_masked;
		reveal.replaceWith(h('span', { class: 'hint' }, t('hr.officer.revealed')));
	}));
	const row = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
	panel.append(h('dl', { class: 'facts' },
		row(t('hr.officer.name'), officer.name),
		row(t('hr.officer.national_id'), [idText, ' ', reveal]),
		row(t('hr.officer.gender'), officer.gender ? t(`hr.officer.gender.${officer.gender}`) : ''),
		row(t('hr.officer.birth'), formatDate(officer.birth_date)),
		row(t('hr.officer.unit'), officer.org ? officer.org.name : ''),
		row(t('hr.officer.kind'), t(`hr.officer.kind.${officer.kind}`)),
		row(t('hr.officer.post'), officer.post || ''),
		row(t('hr.officer.enforcement_post'), officer.enforcement_post ? t('hr.officer.yes') : t('hr.officer.no')),
		row(t('hr.officer.hire'), formatDate(officer.hire_date)),
		row(t('hr.officer.status'), `${t(`hr.status.${officer.status}`)}（${formatDate(officer.status_date)}）`)),
	h('p', { class: 'hint' }, t('hr.officer.reveal_note')));
	return panel;
}

// The form for one record: partial credit, revoke or restore.
function recordForm(page, record, mode) {
	const { t, api } = page.ctx;
	const title = record.session.title;
	const fields = mode === 'partial'
		? [field({ label: t('hr.officer.hours'), name: 'credited_hours', inputmode: 'decimal', required: true, hint: t('hr.officer.hours_hint'), value: record.credited_hours }),
			field({ label: t('hr.officer.override_reason'), name: 'override_reason', required: true, maxlength: '500', hint: t('hr.officer.override_hint'), value: record.override_reason || '' })]
		: mode === 'revoke'
			? [field({ label: t('hr.officer.revoked_reason'), name: 'revoked_reason', required: true, maxlength: '500' })]
			: [];
	const save = h('button', { type: 'submit' }, t('hr.officer.save'));
	const form = h('form', { class: 'form record-form', 'data-form': `record-${mode}`, 'data-record': String(record.id) },
		h('h3', {}, t(`hr.officer.${mode}_title`, { title })),
		fields,
		h('p', { class: 'actions' }, save,
			h('button', { type: 'button', class: 'secondary', onclick: () => form.remove() }, t('hr.officer.cancel'))));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(save, form, form, async () => {
			const body = mode === 'partial'
				? { credited_hours: form.elements.credited_hours.value.trim(), override_reason: form.elements.override_reason.value.trim() }
				: mode === 'revoke'
					? { revoked: true, revoked_reason: form.elements.revoked_reason.value.trim() }
					: { revoked: false };
			const found = await allItems(api, `/api/v1/sessions/${record.session.id}/attendance`, (item) => item.id === record.id);
			if (!found)
				throw new ApiError(404, { title: t('hr.officer.record_gone') });
			await api.patch(`/api/v1/attendance/${record.id}`, body, `"${found.version}"`);
			await page.reload(t('hr.officer.saved'));
		});
	});
	return form;
}

function recordActions(page, slot) {
	const { t } = page.ctx;
	const open = (record, mode) => {
		slot.replaceChildren(recordForm(page, record, mode));
		slot.scrollIntoView({ block: 'nearest' });
		const first = slot.querySelector('input');
		if (first)
			first.focus();
	};
	return {
		label: t('hr.officer.actions'),
		value: (record) => h('span', { class: 'row-actions' },
			record.revoked
				? h('button', { type: 'button', class: 'secondary small', 'data-action': 'restore', onclick: () => open(record, 'restore') }, t('hr.officer.restore'))
				: [h('button', { type: 'button', class: 'secondary small', 'data-action': 'partial', onclick: () => open(record, 'partial') }, t('hr.officer.partial')),
					h('button', { type: 'button', class: 'secondary small', 'data-action': 'revoke', onclick: () => open(record, 'revoke') }, t('hr.officer.revoke'))]),
	};
}

function statusForm(page, cert) {
	const { t, api } = page.ctx;
	const allowed = cert.allowed_transitions || [];
	if (!allowed.length)
		return h('p', { class: 'hint' }, t('hr.officer.cert_final'));
	const reasonOptions = (to) => (to === 'valid' ? ['reinstated'] : REASONS)
		.map((reason) => h('option', { value: reason }, t(`reason.${reason}`)));
	const save = h('button', { type: 'submit' }, t('hr.officer.cert_change'));
	const form = h('form', { class: 'form cert-status-form', 'data-form': 'certificate-status' },
		field({ label: t('hr.officer.cert_to'), name: 'status', type: 'select', options: allowed.map((to) => h('option', { value: to }, t(`card.cert_status.${to}`))) }),
		field({ label: t('hr.officer.cert_reason_category'), name: 'reason_category', type: 'select', options: reasonOptions(allowed[0]) }),
		field({ label: t('hr.officer.cert_reason'), name: 'reason', maxlength: '500', hint: t('hr.officer.cert_reason_hint') }),
		h('p', { class: 'actions' }, save));
	form.elements.status.addEventListener('change', () => form.elements.reason_category.replaceChildren(...reasonOptions(form.elements.status.value)));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(save, form, form, async () => {
			const reason = form.elements.reason.value.trim();
			await api.request('POST', `/api/v1/certificates/${cert.id}/status`, {
				body: { status: form.elements.status.value, reason_category: form.elements.reason_category.value, ...(reason ? { reason } : {}) },
				ifMatch: `"${cert.version}"`,
			});
			await page.reload(t('hr.officer.cert_changed'));
		});
	});
	return h('details', { class: 'cert-actions' }, h('summary', {}, t('hr.officer.cert_change')), form);
}

function issueForm(page, officer, certificates, orgs) {
	const { t, api } = page.ctx;
	// Issuers: the units HR sees and those that issued this officer's certificates.
	const issuers = new Map(orgs.map((org) => [org.id, org.name]));
	for (const cert of certificates)
		issuers.set(cert.issuing_org_id, cert.issuing_org_name);
	const preferred = certificates.length ? certificates[certificates.length - 1].issuing_org_id : null;
	const today = chinaToday();
	const save = h('button', { type: 'submit' }, t('hr.officer.issue'));
	const form = h('form', { class: 'form', 'data-form': 'certificate-issue' },
		h('p', { class: 'hint' }, t('hr.officer.issue_rule')),
		field({ label: t('hr.officer.cert_number'), name: 'number', required: true, maxlength: '40' }),
		field({ label: t('hr.officer.cert_domain'), name: 'domain', required: true, maxlength: '100', value: officer.post || '' }),
		field({ label: t('hr.officer.cert_area'), name: 'area', maxlength: '100', value: officer.org ? officer.org.name : '' }),
		field({ label: t('hr.officer.cert_issuer'), name: 'issuing_org_id', type: 'select',
			options: [...issuers].map(([id, name]) => h('option', { value: String(id), selected: id === preferred }, name)) }),
		field({ label: t('hr.officer.cert_issued_on'), name: 'issued_on', type: 'date', required: true, value: today }),
		field({ label: t('hr.officer.cert_expires_on'), name: 'expires_on', type: 'date', required: true }),
		field({ label: t('hr.officer.cert_custody'), name: 'custody', type: 'select',
			options: ['unit_hr', 'officer'].map((c) => h('option', { value: c }, t(`hr.officer.custody.${c}`))) }),
		h('p', { class: 'actions' }, save));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(save, form, form, async () => {
			const value = (name) => form.elements[name].value.trim();
			await api.post('/api/v1/certificates', {
				number: value('number'), officer_id: officer.id, issuing_org_id: Number(value('issuing_org_id')),
				domain: value('domain'), area: value('area'), issued_on: value('issued_on'), expires_on: value('expires_on'), custody: value('custody'),
			});
			await page.reload(t('hr.officer.issued'));
		});
	});
	return h('details', { class: 'cert-issue', 'data-issue': '' }, h('summary', {}, t('hr.officer.issue_open')), form);
}

async function certificatesPanel(page, officer, year) {
	const { t, api } = page.ctx;
	const [list, orgs] = await Promise.all([
		api.get(`/api/v1/officers/${officer.id}/certificates`),
		api.get('/api/v1/orgs?limit=500'),
	]);
	const certificates = list.items || [];
	// The detail holds the transitions allowed now.
	const details = await Promise.all(certificates.map((cert) => api.get(`/api/v1/certificates/${cert.id}`)));
	return section(t('hr.officer.certificates'),
		details.length ? details.map((cert) => certificateView(t, cert, statusForm(page, cert))) : empty(t('card.certificate_none')),
		issueForm(page, officer, certificates, orgs.items || []),
		h('p', {}, printLink(t, officer.id, year)));
}

export async function render(root, ctx) {
	const { t, api } = ctx;
	const id = Number(ctx.params.id);
	if (!Number.isInteger(id) || id < 1) {
		ctx.navigate('hr/officers');
		return;
	}
	const year = yearParam(ctx.params);
	const page = { ctx, reload: null };
	const body = h('div', { class: 'officer-body' });
	const head = h('div', { class: 'page-head' },
		h('h1', {}, t('hr.officer.title')),
		yearPicker(t, 'hr-officer-year', year, (value) => ctx.navigate('hr/officer', { id: String(id), year: value })));
	root.append(h('p', {}, h('a', { href: '#/hr/officers' }, `← ${t('hr.officer.back')}`)), head, body);

	async function draw(message) {
		const [officer, card] = await Promise.all([
			api.get(`/api/v1/officers/${id}`),
			api.get(`/api/v1/officers/${id}/card?year=${year}`),
		]);
		const slot = h('div', { class: 'record-form-slot' });
		const certificates = await certificatesPanel(page, officer, year);
		body.replaceChildren(
			message ? notice(message) : null,
			h('p', { class: 'subtitle' }, `${officer.name} · ${officer.org ? officer.org.name : ''} · ${officer.post || ''}`),
			h('div', { class: 'grid' },
				detailsPanel(t, api, officer),
				progressPanel(t, card),
				missingPanel(t, card),
				chartPanel(t, card, 'hr-officer-chart')),
			section(t('card.records'), slot, recordsTable(t, card, [recordActions(page, slot)])),
			certificates);
	}
	page.reload = draw;
	await draw(null);
}

