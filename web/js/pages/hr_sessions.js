// hr_sessions.js — training sessions of the HR clerk's units (GET
// /api/v1/sessions), registering a new one (POST /api/v1/sessions), and one
// session with its attendance: officers picked from a searchable list or
// national IDs pasted one per line (POST /api/v1/sessions/{id}/attendance),
// with what the API answered for each. Routes: #/hr/sessions (the list),
// #/hr/session?id=N (one session), #/hr/session (a new one).
import { categoryName, withCardStrings } from '../card_view.js';
import { formatDateTime, formatHours, formatNumber, yearParam } from '../i18n.js';
import { empty, field, h, loading, section, showProblem, table, yearOptions } from '../ui.js';
import { allItems, busy, notice } from './hr_common.js';

const CATEGORIES = ['public_law', 'business', 'skills', 'political', 'other'];
const FORMS = ['lecture', 'seminar', 'online', 'mentorship', 'onsite', 'competition', 'rotation', 'case_study', 'field_demo', 'other'];

export const strings = withCardStrings({
	zh: {
		'hr.sessions.title': '培训登记',
		'hr.sessions.new': '登记新培训',
		'hr.sessions.year': '年度', 'hr.sessions.unit': '主办单位', 'hr.sessions.category': '类别', 'hr.sessions.q': '培训名称',
		'hr.sessions.any': '全部', 'hr.sessions.search': '查询',
		'hr.sessions.none': '没有符合条件的培训。',
		'hr.sessions.next': '下一页', 'hr.sessions.first': '回到第一页',
		'hr.sessions.col.code': '培训编号', 'hr.sessions.col.title': '培训名称', 'hr.sessions.col.unit': '主办单位',
		'hr.sessions.col.starts': '开始时间', 'hr.sessions.col.category': '类别', 'hr.sessions.col.form': '形式',
		'hr.sessions.col.hours': '学时',
		'hr.sessions.by_minutes': '按时长（{minutes} 分钟）',
		'hr.sessions.back': '返回培训列表',
		'hr.sessions.new_title': '登记新培训',
		'hr.sessions.code': '培训编号', 'hr.sessions.code_hint': '可不填；填写后可在批量导入中引用',
		'hr.sessions.name': '培训名称', 'hr.sessions.form': '培训形式', 'hr.sessions.platform': '学习平台',
		'hr.sessions.platform_hint': '网络培训填写平台名称，如“法治教育网”',
		'hr.sessions.location': '地点',
		'hr.sessions.starts_at': '开始时间', 'hr.sessions.ends_at': '结束时间',
		'hr.sessions.duration': '时长（分钟）', 'hr.sessions.duration_hint': '可不填，默认为开始至结束的时间',
		'hr.sessions.declared': '申报学时', 'hr.sessions.declared_hint': '填写则按申报学时认定（如 3 或 4.5，最多 24）；不填则按时长折算（默认每 45 分钟 1 学时）',
		'hr.sessions.save': '登记培训',
		'hr.sessions.created': '培训已登记，请添加参训人员。',
		'hr.sessions.details': '培训信息',
		'hr.sessions.attendance': '参训人员（{count} 人）',
		'hr.sessions.attendance_none': '尚未登记参训人员。',
		'hr.sessions.col.name': '姓名', 'hr.sessions.col.id': '身份证号', 'hr.sessions.col.status': '状态', 'hr.sessions.col.credited': '认定学时',
		'hr.sessions.status.attended': '已参训', 'hr.sessions.status.partial': '部分认定', 'hr.sessions.status.revoked': '已撤销',
		'hr.sessions.add': '添加参训人员',
		'hr.sessions.pick': '从人员名单中选择',
		'hr.sessions.pick_q': '姓名或身份证号',
		'hr.sessions.pick_search': '搜索',
		'hr.sessions.pick_add': '选择',
		'hr.sessions.pick_none': '没有找到在岗人员。',
		'hr.sessions.picked': '已选择 {count} 人',
		'hr.sessions.unpick': '移除 {name}',
		'hr.sessions.paste': '粘贴身份证号（每行一个）',
		'hr.sessions.paste_hint': '可从表格中整列复制粘贴',
		'hr.sessions.register': '登记参训',
		'hr.sessions.nothing': '请先选择人员或粘贴身份证号。',
		'hr.sessions.result': '登记结果',
		'hr.sessions.result_ok': '新增 {created} 人，已在名单中 {existing} 人。',
		'hr.sessions.result_refused': '有 {count} 项有误，本次未登记任何人员。请修改或删除有误的行后重新提交。',
		'hr.sessions.drop_bad': '删除有误的行',
		'hr.sessions.col.who': '人员', 'hr.sessions.col.answer': '结果',
		'hr.sessions.answer.created': '已添加', 'hr.sessions.answer.existing': '已在名单中', 'hr.sessions.answer.not_sent': '未登记（本批有误）',
		'hr.sessions.answer.unknown': '已登记',
		'form.lecture': '讲授', 'form.seminar': '研讨', 'form.online': '网络培训', 'form.mentorship': '导师制', 'form.onsite': '驻点培训',
		'form.competition': '大比武', 'form.rotation': '全员轮训', 'form.case_study': '案例教学', 'form.field_demo': '现场示范', 'form.other': '其他',
	},
	en: {
		'hr.sessions.title': 'Training sessions',
		'hr.sessions.new': 'Register a session',
		'hr.sessions.year': 'Year', 'hr.sessions.unit': 'Organiser', 'hr.sessions.category': 'Category', 'hr.sessions.q': 'Title',
		'hr.sessions.any': 'Any', 'hr.sessions.search': 'Search',
		'hr.sessions.none': 'No session matches.',
		'hr.sessions.next': 'Next page', 'hr.sessions.first': 'Back to the first page',
		'hr.sessions.col.code': 'Code', 'hr.sessions.col.title': 'Title', 'hr.sessions.col.unit': 'Organiser',
		'hr.sessions.col.starts': 'Starts', 'hr.sessions.col.category': 'Category', 'hr.sessions.col.form': 'Form',
		'hr.sessions.col.hours': 'Hours',
		'hr.sessions.by_minutes': 'by duration ({minutes} min)',
		'hr.sessions.back': 'Back to the sessions',
		'hr.sessions.new_title': 'Register a training session',
		'hr.sessions.code': 'Code', 'hr.sessions.code_hint': 'Optional; imports refer to sessions by it',
		'hr.sessions.name': 'Title', 'hr.sessions.form': 'Form', 'hr.sessions.platform': 'Learning platform',
		'hr.sessions.platform_hint': 'For online training, the platform, e.g. 法治教育网',
		'hr.sessions.location': 'Location',
		'hr.sessions.starts_at': 'Starts', 'hr.sessions.ends_at': 'Ends',
		'hr.sessions.duration': 'Duration (minutes)', 'hr.sessions.duration_hint': 'Optional; the span from start to end when empty',
		'hr.sessions.declared': 'Declared hours', 'hr.sessions.declared_hint': 'When given, these hours count (e.g. 3 or 4.5, at most 24); otherwise the minutes do (45 minutes = 1 hour by default)',
		'hr.sessions.save': 'Register the session',
		'hr.sessions.created': 'The session is registered; now add its attendees.',
		'hr.sessions.details': 'Session',
		'hr.sessions.attendance': 'Attendees ({count})',
		'hr.sessions.attendance_none': 'No attendee registered yet.',
		'hr.sessions.col.name': 'Name', 'hr.sessions.col.id': 'National ID', 'hr.sessions.col.status': 'Status', 'hr.sessions.col.credited': 'Credited',
		'hr.sessions.status.attended': 'Attended', 'hr.sessions.status.partial': 'Partial credit', 'hr.sessions.status.revoked': 'Revoked',
		'hr.sessions.add': 'Add attendees',
		'hr.sessions.pick': 'Pick from the officers',
		'hr.sessions.pick_q': 'Name or national ID',
		'hr.sessions.pick_search': 'Search',
		'hr.sessions.pick_add': 'Pick',
		'hr.sessions.pick_none': 'No active officer found.',
		'hr.sessions.picked': '{count} picked',
		'hr.sessions.unpick': 'Remove {name}',
		'hr.sessions.paste': 'Paste national IDs (one per line)',
		'hr.sessions.paste_hint': 'A column copied from a spreadsheet works',
		'hr.sessions.register': 'Register attendance',
		'hr.sessions.nothing': 'Pick officers or paste national IDs first.',
		'hr.sessions.result': 'Result',
		'hr.sessions.result_ok': '{created} added, {existing} already there.',
		'hr.sessions.result_refused': '{count} entries are wrong: nobody was registered. Correct or remove them and submit again.',
		'hr.sessions.drop_bad': 'Remove the wrong lines',
		'hr.sessions.col.who': 'Officer', 'hr.sessions.col.answer': 'Answer',
		'hr.sessions.answer.created': 'added', 'hr.sessions.answer.existing': 'already there', 'hr.sessions.answer.not_sent': 'not registered (the batch had errors)',
		'hr.sessions.answer.unknown': 'registered',
		'form.lecture': 'Lecture', 'form.seminar': 'Seminar', 'form.online': 'Online', 'form.mentorship': 'Mentorship', 'form.onsite': 'On-site',
		'form.competition': 'Competition', 'form.rotation': 'Rotation round', 'form.case_study': 'Case study', 'form.field_demo': 'Field demonstration', 'form.other': 'Other',
	},
});

function options(t, prefix, values, selected, anyLabel) {
	return (anyLabel ? [h('option', { value: '' }, anyLabel)] : [])
		.concat(values.map((value) => h('option', { value, selected: value === selected }, t(`${prefix}.${value}`))));
}

function hoursOf(t, session) {
	return session.declared_hours ? formatHours(session.declared_hours) : t('hr.sessions.by_minutes', { minutes: session.duration_minutes });
}

function sessionLink(session) {
	return h('a', { href: `#/hr/session?id=${session.id}`, 'data-session': String(session.id) }, session.title);
}

// "2026-03-03T09:00" (a datetime-local value, China time) → RFC 3339 with offset.
function chinaTime(local) {
	return local ? `${local.length === 16 ? `${local}:00` : local}+08:00` : '';
}

// 441402199003072316 → 441402********2316, as the API masks it.
function maskId(id) {
	return id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : id;
}

/* ---- the list ---- */

async function renderList(root, ctx, orgs) {
	const { t, params, api } = ctx;
	const year = yearParam(params);
	const form = h('form', { class: 'form filter-form', role: 'search', 'data-form': 'session-search' },
		field({ label: t('hr.sessions.q'), name: 'q', type: 'search', value: params.q || '' }),
		field({ label: t('hr.sessions.year'), name: 'year', type: 'select', options: yearOptions(year) }),
		field({ label: t('hr.sessions.unit'), name: 'org', type: 'select',
			options: [h('option', { value: '' }, t('hr.sessions.any'))].concat(orgs.map((org) => h('option', { value: String(org.id), selected: String(org.id) === params.org }, org.name))) }),
		field({ label: t('hr.sessions.category'), name: 'category', type: 'select', options: options(t, 'cat', CATEGORIES, params.category, t('hr.sessions.any')) }),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('hr.sessions.search'))));
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		const next = { year: form.elements.year.value };
		for (const name of ['q', 'org', 'category'])
			if (form.elements[name].value.trim())
				next[name] = form.elements[name].value.trim();
		ctx.navigate('hr/sessions', next);
	});
	const body = h('div', { class: 'list-body', 'aria-live': 'polite' }, loading());
	const panel = section(t('hr.sessions.title'),
		h('p', { class: 'actions' }, h('a', { class: 'button', href: '#/hr/session', 'data-action': 'new-session' }, t('hr.sessions.new'))),
		form, body);
	root.append(panel);
	const query = new URLSearchParams({ limit: '20', year: String(year) });
	for (const name of ['q', 'org', 'category', 'cursor'])
		if (params[name])
			query.set(name, params[name]);
	try {
		const page = await api.get(`/api/v1/sessions?${query}`);
		const { cursor, ...filters } = params;
		const columns = [
			{ label: t('hr.sessions.col.title'), value: sessionLink },
			{ label: t('hr.sessions.col.code'), value: (s) => s.code || '—' },
			{ label: t('hr.sessions.col.starts'), value: (s) => formatDateTime(s.starts_at) },
			{ label: t('hr.sessions.col.unit'), value: (s) => s.org.name || '' },
			{ label: t('hr.sessions.col.category'), value: (s) => categoryName(t, s.category) },
			{ label: t('hr.sessions.col.form'), value: (s) => t(`form.${s.form}`) },
			{ label: t('hr.sessions.col.hours'), value: (s) => hoursOf(t, s) },
		];
		body.replaceChildren(
			(page.items || []).length ? table(columns, page.items) : h('p', { class: 'empty' }, t('hr.sessions.none')),
			h('p', { class: 'pager' },
				cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('hr/sessions', filters) }, t('hr.sessions.first')) : null,
				page.next_cursor ? h('button', { type: 'button', 'data-action': 'next-page', onclick: () => ctx.navigate('hr/sessions', { ...filters, cursor: page.next_cursor }) }, t('hr.sessions.next')) : null));
	} catch (error) {
		body.replaceChildren();
		showProblem(panel, error, form);
	}
}

/* ---- a new session ---- */

function renderNew(root, ctx, orgs) {
	const { t, api, user } = ctx;
	const save = h('button', { type: 'submit' }, t('hr.sessions.save'));
	const form = h('form', { class: 'form session-form', 'data-form': 'session-new' },
		field({ label: t('hr.sessions.name'), name: 'title', required: true, maxlength: '200' }),
		field({ label: t('hr.sessions.code'), name: 'code', maxlength: '64', hint: t('hr.sessions.code_hint') }),
		field({ label: t('hr.sessions.unit'), name: 'org_id', type: 'select',
			options: orgs.map((org) => h('option', { value: String(org.id), selected: org.id === user.org_id }, org.name)) }),
		field({ label: t('hr.sessions.category'), name: 'category', type: 'select', options: options(t, 'cat', CATEGORIES, 'public_law') }),
		field({ label: t('hr.sessions.form'), name: 'form', type: 'select', options: options(t, 'form', FORMS, 'lecture') }),
		field({ label: t('hr.sessions.platform'), name: 'platform', maxlength: '100', hint: t('hr.sessions.platform_hint'), list: 'hr-platforms' }),
		h('datalist', { id: 'hr-platforms' }, h('option', { value: '法治教育网' })),
		field({ label: t('hr.sessions.location'), name: 'location', maxlength: '200' }),
		field({ label: t('hr.sessions.starts_at'), name: 'starts_at', type: 'datetime-local', required: true }),
		field({ label: t('hr.sessions.ends_at'), name: 'ends_at', type: 'datetime-local', required: true }),
		field({ label: t('hr.sessions.duration'), name: 'duration_minutes', type: 'number', min: '1', max: '1440', step: '1', hint: t('hr.sessions.duration_hint') }),
		field({ label: t('hr.sessions.declared'), name: 'declared_hours', inputmode: 'decimal', hint: t('hr.sessions.declared_hint') }),
		h('p', { class: 'actions' }, save));
	const panel = section(t('hr.sessions.new_title'), form);
	root.append(h('p', {}, h('a', { href: '#/hr/sessions' }, `← ${t('hr.sessions.back')}`)), panel);
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(save, panel, form, async () => {
			const value = (name) => form.elements[name].value.trim();
			const body = {
				title: value('title'), org_id: Number(value('org_id')), category: value('category'), form: value('form'),
				starts_at: chinaTime(value('starts_at')), ends_at: chinaTime(value('ends_at')),
			};
			for (const name of ['code', 'platform', 'location', 'declared_hours'])
				if (value(name))
					body[name] = value(name);
			if (value('duration_minutes'))
				body.duration_minutes = Number(value('duration_minutes'));
			const session = await api.post('/api/v1/sessions', body);
			ctx.navigate('hr/session', { id: String(session.id), created: '1' });
		});
	});
}

/* ---- one session and its attendance ---- */

function attendanceTable(t, items) {
	return table([
		{ label: t('hr.sessions.col.name'), value: (a) => h('a', { href: `#/hr/officer?id=${a.officer.id}&year=${a.year}` }, a.officer.name) },
		{ label: t('hr.sessions.col.id'), value: (a) => a.officer.national_id_masked || '' },
		{ label: t('hr.sessions.col.status'), value: (a) => t(`hr.sessions.status.${a.status}`) },
		{ label: t('hr.sessions.col.credited'), numeric: true, value: (a) => formatHours(a.credited_hours) },
	], items);
}

// The picker: search officers, pick some; picked is a Map id → officer.
function pickerPanel(ctx, picked) {
	const { t, api } = ctx;
	const results = h('div', { class: 'pick-results', 'aria-live': 'polite' });
	const chips = h('ul', { class: 'chips', 'aria-label': t('hr.sessions.picked', { count: 0 }) });
	const count = h('p', { class: 'hint' });
	const search = h('button', { type: 'submit', class: 'secondary' }, t('hr.sessions.pick_search'));
	const form = h('form', { class: 'form inline-form', role: 'search', 'data-form': 'pick' },
		field({ label: t('hr.sessions.pick_q'), name: 'q', type: 'search' }), search);
	const box = h('div', { class: 'picker' }, h('h3', {}, t('hr.sessions.pick')), form, results, count, chips);
	const drawChips = () => {
		count.textContent = t('hr.sessions.picked', { count: picked.size });
		chips.replaceChildren(...[...picked.values()].map((officer) => h('li', { class: 'chip' },
			`${officer.name} ${officer.national_id_masked || ''}`,
			h('button', { type: 'button', class: 'link-button', 'aria-label': t('hr.sessions.unpick', { name: officer.name }),
				onclick: () => { picked.delete(officer.id); drawChips(); } }, '×'))));
	};
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(search, box, form, async () => {
			const query = new URLSearchParams({ limit: '20', status: 'active' });
			if (form.elements.q.value.trim())
				query.set('q', form.elements.q.value.trim());
			results.replaceChildren(loading());
			const page = await api.get(`/api/v1/officers?${query}`);
			const items = page.items || [];
			results.replaceChildren(items.length
				? h('ul', { class: 'pick-list' }, items.map((officer) => h('li', {},
					h('span', {}, `${officer.name} · ${officer.national_id_masked || ''} · ${officer.org ? officer.org.name : ''}`),
					h('button', { type: 'button', class: 'secondary small', 'data-pick': String(officer.id), disabled: picked.has(officer.id),
						onclick: (e) => { picked.set(officer.id, officer); e.currentTarget.disabled = true; drawChips(); } }, t('hr.sessions.pick_add')))))
				: empty(t('hr.sessions.pick_none')));
		});
	});
	drawChips();
	return box;
}

// What the API answered, per attendee. entries: [{label, kind, officerId?, id?}].
function resultTable(t, entries) {
	return table([
		{ label: t('hr.sessions.col.who'), value: (e) => e.label },
		{ label: t('hr.sessions.col.answer'), value: (e) => h('span', { class: `answer answer-${e.answer}`, 'data-answer': e.answer }, e.message || t(`hr.sessions.answer.${e.answer}`)) },
	], entries);
}

async function renderSession(root, ctx, id) {
	const { t, api, params } = ctx;
	const session = await api.get(`/api/v1/sessions/${id}`);
	const listBox = h('div', { class: 'attendance-list' });
	const listHead = h('h2', {});
	const listPanel = h('section', { class: 'panel', 'data-panel': 'attendance' }, listHead, listBox);
	let attendance = [];
	const drawList = async () => {
		attendance = await allItems(api, `/api/v1/sessions/${id}/attendance`);
		listHead.textContent = t('hr.sessions.attendance', { count: formatNumber(attendance.length) });
		listBox.replaceChildren(attendance.length ? attendanceTable(t, attendance) : empty(t('hr.sessions.attendance_none')));
	};

	const picked = new Map();
	const textarea = h('textarea', { id: 'hr-paste', name: 'national_ids', rows: '5', spellcheck: 'false', autocomplete: 'off' });
	const result = h('div', { class: 'register-result', 'aria-live': 'polite' });
	const submit = h('button', { type: 'submit' }, t('hr.sessions.register'));
	const form = h('form', { class: 'form', 'data-form': 'register' },
		h('div', { class: 'field' },
			h('label', { for: 'hr-paste' }, t('hr.sessions.paste')),
			textarea,
			h('p', { class: 'hint' }, t('hr.sessions.paste_hint')),
			h('p', { class: 'field-error', id: 'hr-paste-error', 'data-field-error': 'officers', hidden: true })),
		h('p', { class: 'actions' }, submit));
	const addPanel = section(t('hr.sessions.add'), pickerPanel(ctx, picked), form, result);

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		busy(submit, addPanel, form, async () => {
			const lines = [...new Set(textarea.value.split(/[\r\n,;，；\s]+/).map((line) => line.trim().toUpperCase()).filter(Boolean))];
			const entries = [...picked.values()].map((officer) => ({ label: `${officer.name} ${officer.national_id_masked || ''}`, officerId: officer.id, item: { officer_id: officer.id } }))
				.concat(lines.map((line) => ({ label: line, nationalId: line, item: { national_id: line } })));
			if (!entries.length) {
				result.replaceChildren(h('p', { class: 'problem', role: 'alert' }, t('hr.sessions.nothing')));
				return;
			}
			result.replaceChildren(loading());
			let reply;
			try {
				reply = await api.post(`/api/v1/sessions/${id}/attendance`, { officers: entries.map((e) => e.item) });
			} catch (error) {
				const bad = new Map();
				for (const item of error.errors || []) {
					const match = /^officers\[(\d+)\]/.exec(item.field || '');
					if (match)
						bad.set(Number(match[1]), item.message || item.reason);
				}
				if (!bad.size) {
					result.replaceChildren();
					throw error;
				}
				entries.forEach((entry, i) => {
					entry.answer = bad.has(i) ? 'error' : 'not_sent';
					entry.message = bad.get(i) || null;
				});
				const wrongLines = new Set(entries.filter((e, i) => bad.has(i) && e.nationalId).map((e) => e.nationalId));
				result.replaceChildren(
					h('h3', {}, t('hr.sessions.result')),
					h('p', { class: 'problem', role: 'alert', 'data-result': 'refused' }, `${error.title} — ${t('hr.sessions.result_refused', { count: bad.size })}`),
					resultTable(t, entries),
					wrongLines.size ? h('p', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', 'data-action': 'drop-bad',
						onclick: () => { textarea.value = lines.filter((line) => !wrongLines.has(line)).join('\n'); } }, t('hr.sessions.drop_bad'))) : null);
				return;
			}
			await drawList();
			// Which officer each entry is: picked ones by id, pasted IDs by their mask
			// among the officers the API just answered about.
			const answered = new Map();
			for (const row of reply.created || [])
				answered.set(row.officer_id, 'created');
			for (const row of reply.existing || [])
				answered.set(row.officer_id, 'existing');
			const byId = new Map(attendance.map((a) => [a.officer.id, a.officer]));
			for (const entry of entries) {
				let officerId = entry.officerId;
				if (officerId === undefined) {
					const mask = maskId(entry.nationalId);
					const same = [...answered.keys()].filter((oid) => byId.get(oid) && byId.get(oid).national_id_masked === mask);
					officerId = same.length === 1 ? same[0] : undefined;
					if (officerId !== undefined)
						entry.label = `${byId.get(officerId).name} ${mask}`;
				}
				entry.answer = officerId !== undefined ? answered.get(officerId) || 'unknown' : 'unknown';
			}
			picked.clear();
			textarea.value = '';
			result.replaceChildren(
				h('h3', {}, t('hr.sessions.result')),
				h('p', { class: 'ok', role: 'status', 'data-result': 'ok' }, t('hr.sessions.result_ok', { created: formatNumber((reply.created || []).length), existing: formatNumber((reply.existing || []).length) })),
				resultTable(t, entries));
			addPanel.querySelector('.picker').replaceWith(pickerPanel(ctx, picked));
		});
	});

	const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
	root.append(
		h('p', {}, h('a', { href: '#/hr/sessions' }, `← ${t('hr.sessions.back')}`)),
		h('h1', {}, session.title),
		params.created ? notice(t('hr.sessions.created')) : null,
		h('div', { class: 'grid' },
			section(t('hr.sessions.details'), h('dl', { class: 'facts' },
				fact(t('hr.sessions.code'), session.code || '—'),
				fact(t('hr.sessions.unit'), session.org.name || ''),
				fact(t('hr.sessions.category'), categoryName(t, session.category)),
				fact(t('hr.sessions.form'), t(`form.${session.form}`)),
				fact(t('hr.sessions.platform'), session.platform || '—'),
				fact(t('hr.sessions.location'), session.location || '—'),
				fact(t('hr.sessions.starts_at'), formatDateTime(session.starts_at)),
				fact(t('hr.sessions.ends_at'), formatDateTime(session.ends_at)),
				fact(t('hr.sessions.col.hours'), hoursOf(t, session)))),
			addPanel),
		listPanel);
	listBox.append(loading());
	await drawList();
}

export async function render(root, ctx) {
	const orgs = (await ctx.api.get('/api/v1/orgs?limit=500')).items || [];
	if (ctx.params.view !== 'session')
		return renderList(root, ctx, orgs);
	const id = Number(ctx.params.id);
	if (Number.isInteger(id) && id > 0)
		return renderSession(root, ctx, id);
	return renderNew(root, ctx, orgs);
}
