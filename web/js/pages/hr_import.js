// hr_import.js — bulk import of a spreadsheet saved as CSV (POST
// /api/v1/imports/{kind}, doc/import.md): the file is read in the browser,
// turned from GB18030/GBK into UTF-8 when it is not UTF-8 already, its Chinese
// column headers renamed to the API's as `tcard import` does, and sent with
// XMLHttpRequest so the upload shows its progress. The answer is the counts, or
// every bad row as a table and as a CSV the clerk downloads to fix the file.
import { ApiError } from '../api.js';
import { formatNumber } from '../i18n.js';
import { clearProblem, field, h, section, showProblem, table } from '../ui.js';

// Canonical column ← the Chinese header the CLI also accepts (cli/import.c).
const COLUMNS = {
	attendance: { 身份证号: 'national_id', 培训编号: 'session_code', 认定学时: 'hours', 认定说明: 'override_reason', 学习平台: 'platform', 平台记录号: 'record_id', 完成时间: 'completed_at' },
	assessments: { 身份证号: 'national_id', 年度: 'year', 考核等次: 'grade', 备注: 'note' },
	officers: { 身份证号: 'national_id', 姓名: 'name', 单位编码: 'org_code', 人员类别: 'kind', 岗位: 'post', 入职日期: 'hire_date', 状态: 'status', 状态日期: 'status_date', 执法岗位: 'enforcement_post' },
	sessions: { 培训编号: 'code', 培训名称: 'title', 主办单位编码: 'org_code', 类别: 'category', 形式: 'form', 学习平台: 'platform', 开始时间: 'starts_at', 结束时间: 'ends_at', '时长（分钟）': 'duration_minutes', 学时: 'declared_hours' },
	certificates: { 证号: 'number', 身份证号: 'national_id', 发证机关编码: 'issuing_org_code', 执法类别: 'domain', 执法区域: 'area', 发证日期: 'issued_on', 有效期至: 'expires_on', 保管: 'custody' },
	organisations: { 单位编码: 'code', 单位名称: 'name', 单位类别: 'kind', 上级单位编码: 'parent_code', 行政区划代码: 'region_code', 统一社会信用代码: 'credit_code' },
};

export const strings = {
	zh: {
		'hr.import.title': '批量导入',
		'hr.import.intro': '将 Excel 表格另存为 CSV 后上传。表头可用中文（如“身份证号”“培训编号”）或英文列名；UTF-8 或 GBK 编码均可。整个文件要么全部导入，要么（有任何错误时）一行也不导入。',
		'hr.import.kind': '导入内容',
		'hr.import.kind.attendance': '培训登记（参训记录）', 'hr.import.kind.assessments': '年度考核', 'hr.import.kind.officers': '执法人员',
		'hr.import.kind.sessions': '培训', 'hr.import.kind.certificates': '执法证', 'hr.import.kind.organisations': '单位',
		'hr.import.columns': '列：{columns}',
		'hr.import.file': 'CSV 文件',
		'hr.import.dry_run': '只校验，不导入',
		'hr.import.submit': '上传',
		'hr.import.no_file': '请选择文件。',
		'hr.import.reading': '正在读取文件…',
		'hr.import.converted': '文件为 GBK/GB18030 编码，已转换为 UTF-8 上传。',
		'hr.import.uploading': '正在上传：{sent} / {total} 字节',
		'hr.import.checking': '上传完成，服务器正在校验和导入…',
		'hr.import.done': '导入完成',
		'hr.import.done_dry': '校验通过（未导入）',
		'hr.import.rows': '行数', 'hr.import.inserted': '新增', 'hr.import.updated': '更新', 'hr.import.unchanged': '未变化',
		'hr.import.errors': '文件有误：共 {rows} 行，{rejected} 行有误，未导入任何数据。',
		'hr.import.errors_more': '只列出前 {count} 处错误。',
		'hr.import.download': '下载错误清单（CSV）',
		'hr.import.col.row': '行号', 'hr.import.col.column': '列', 'hr.import.col.value': '内容', 'hr.import.col.reason': '原因',
		'hr.import.whole_row': '整行',
	},
	en: {
		'hr.import.title': 'Bulk import',
		'hr.import.intro': 'Save the spreadsheet as CSV and upload it. Headers in Chinese (身份证号, 培训编号…) or the English column names; UTF-8 or GBK. The whole file lands, or (with any error) none of it.',
		'hr.import.kind': 'What to import',
		'hr.import.kind.attendance': 'Attendance records', 'hr.import.kind.assessments': 'Annual assessments', 'hr.import.kind.officers': 'Officers',
		'hr.import.kind.sessions': 'Training sessions', 'hr.import.kind.certificates': 'Certificates', 'hr.import.kind.organisations': 'Organisations',
		'hr.import.columns': 'Columns: {columns}',
		'hr.import.file': 'CSV file',
		'hr.import.dry_run': 'Check only, import nothing',
		'hr.import.submit': 'Upload',
		'hr.import.no_file': 'Choose a file.',
		'hr.import.reading': 'Reading the file…',
		'hr.import.converted': 'The file was GBK/GB18030; it was converted to UTF-8 for the upload.',
		'hr.import.uploading': 'Uploading: {sent} of {total} bytes',
		'hr.import.checking': 'Uploaded; the server is checking and importing…',
		'hr.import.done': 'Imported',
		'hr.import.done_dry': 'Checked (nothing imported)',
		'hr.import.rows': 'Rows', 'hr.import.inserted': 'Inserted', 'hr.import.updated': 'Updated', 'hr.import.unchanged': 'Unchanged',
		'hr.import.errors': 'The file has errors: {rejected} of {rows} rows are wrong; nothing was imported.',
		'hr.import.errors_more': 'Only the first {count} errors are listed.',
		'hr.import.download': 'Download the errors (CSV)',
		'hr.import.col.row': 'Row', 'hr.import.col.column': 'Column', 'hr.import.col.value': 'Value', 'hr.import.col.reason': 'Reason',
		'hr.import.whole_row': 'whole row',
	},
};

// One CSV field, quoted when it needs to be (RFC 4180).
function csvField(value) {
	const text = String(value ?? '');
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// The header line's fields (quotes removed).
function headerFields(line) {
	const fields = [];
	let current = '';
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (quoted) {
			if (c === '"' && line[i + 1] === '"') {
				current += '"';
				i++;
			} else if (c === '"') {
				quoted = false;
			} else {
				current += c;
			}
		} else if (c === '"') {
			quoted = true;
		} else if (c === ',') {
			fields.push(current);
			current = '';
		} else {
			current += c;
		}
	}
	fields.push(current);
	return fields.map((name) => name.trim());
}

// The file as what to upload: {body (File or Blob), converted}. Not UTF-8 →
// GB18030 (a superset of GBK); Chinese headers → the canonical names.
async function prepare(file, kind) {
	const bytes = new Uint8Array(await file.arrayBuffer());
	let text;
	let converted = false;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		text = new TextDecoder('gb18030').decode(bytes);
		converted = true;
	}
	text = text.replace(/^\uFEFF/, '');
	const end = text.search(/\r?\n/);
	const header = end < 0 ? text : text.slice(0, end);
	const names = headerFields(header);
	const mapped = names.map((name) => COLUMNS[kind][name] || name);
	const renamed = mapped.some((name, i) => name !== names[i]);
	if (!converted && !renamed)
		return { body: file, converted };
	const rest = end < 0 ? '' : text.slice(end);
	return { body: new Blob([mapped.map(csvField).join(','), rest], { type: 'text/csv' }), converted };
}

// POST with upload progress; resolves {status, data} whatever the status.
function upload(path, body, csrf, onProgress) {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', path);
		xhr.setRequestHeader('Content-Type', 'text/csv; charset=utf-8');
		xhr.setRequestHeader('Accept', 'application/json');
		if (csrf)
			xhr.setRequestHeader('X-CSRF-Token', csrf);
		xhr.withCredentials = true;
		xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : body.size);
		xhr.upload.onload = () => onProgress(body.size, body.size, true);
		xhr.onload = () => {
			let data = null;
			try {
				data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
			} catch {
				data = null;
			}
			resolve({ status: xhr.status, data });
		};
		xhr.onerror = () => reject(new ApiError(0, { title: 'network', detail: 'upload failed' }));
		xhr.send(body);
	});
}

function errorsCsv(t, rowErrors) {
	const lines = [[t('hr.import.col.row'), t('hr.import.col.column'), t('hr.import.col.value'), t('hr.import.col.reason')].map(csvField).join(',')];
	for (const e of rowErrors)
		lines.push([e.row, e.column, e.value, e.message || e.reason].map(csvField).join(','));
	// A BOM so that Excel opens the Chinese text as UTF-8.
	return new Blob(['\uFEFF', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
}

function countsView(t, data) {
	const item = (key, value) => [h('dt', {}, t(`hr.import.${key}`)), h('dd', { 'data-count': key }, formatNumber(value ?? 0))];
	return h('div', { class: 'import-done', 'data-result': 'ok' },
		h('p', { class: 'ok', role: 'status' }, data.dry_run ? t('hr.import.done_dry') : t('hr.import.done')),
		h('dl', { class: 'facts' }, item('rows', data.rows), item('inserted', data.inserted), item('updated', data.updated), item('unchanged', data.unchanged)));
}

function rowErrorsView(t, data, fileName) {
	const rows = data.row_errors || [];
	const href = URL.createObjectURL(errorsCsv(t, rows));
	window.addEventListener('hashchange', () => URL.revokeObjectURL(href), { once: true });
	const base = fileName.replace(/\.[^.]*$/, '');
	return h('div', { class: 'import-errors', 'data-result': 'errors' },
		h('p', { class: 'problem', role: 'alert' }, t('hr.import.errors', { rows: formatNumber(data.rows ?? 0), rejected: formatNumber(data.rejected ?? rows.length) })),
		rows.length < (data.rejected ?? 0) ? h('p', { class: 'hint' }, t('hr.import.errors_more', { count: formatNumber(rows.length) })) : null,
		h('p', { class: 'actions' }, h('a', { class: 'button secondary', href, download: `${base}.errors.csv`, 'data-action': 'download-errors' }, t('hr.import.download'))),
		table([
			{ label: t('hr.import.col.row'), numeric: true, value: (e) => String(e.row) },
			{ label: t('hr.import.col.column'), value: (e) => (e.column === '-' ? t('hr.import.whole_row') : e.column) },
			{ label: t('hr.import.col.value'), value: (e) => e.value ?? '' },
			{ label: t('hr.import.col.reason'), value: (e) => e.message || e.reason },
		], rows));
}

export async function render(root, ctx) {
	const { t, api, user } = ctx;
	const kinds = Object.keys(COLUMNS).filter((kind) => kind !== 'organisations' || user.role === 'admin');
	const columnsHint = h('p', { class: 'hint', 'data-columns': '' });
	const submit = h('button', { type: 'submit' }, t('hr.import.submit'));
	const progress = h('progress', { class: 'progress', max: '100', value: '0', hidden: true, 'aria-label': t('hr.import.submit') });
	const status = h('p', { class: 'import-status', role: 'status' });
	const result = h('div', { class: 'import-result' });
	const form = h('form', { class: 'form', 'data-form': 'import' },
		field({ label: t('hr.import.kind'), name: 'kind', type: 'select', options: kinds.map((kind) => h('option', { value: kind }, t(`hr.import.kind.${kind}`))) }),
		columnsHint,
		field({ label: t('hr.import.file'), name: 'file', type: 'file', accept: '.csv,text/csv', required: true }),
		h('div', { class: 'field check' },
			h('input', { type: 'checkbox', id: 'hr-import-dry', name: 'dry_run' }),
			h('label', { for: 'hr-import-dry' }, t('hr.import.dry_run'))),
		h('p', { class: 'actions' }, submit));
	const panel = section(t('hr.import.title'), h('p', {}, t('hr.import.intro')), form, progress, status, result);
	const showColumns = () => {
		const kind = form.elements.kind.value;
		columnsHint.textContent = t('hr.import.columns', { columns: Object.entries(COLUMNS[kind]).map(([zh, en]) => `${zh} ${en}`).join('、') });
	};
	form.elements.kind.addEventListener('change', showColumns);
	showColumns();
	root.append(panel);

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		const file = form.elements.file.files[0];
		clearProblem(panel, form);
		result.replaceChildren();
		if (!file) {
			status.textContent = t('hr.import.no_file');
			return;
		}
		submit.disabled = true;
		try {
			const kind = form.elements.kind.value;
			status.textContent = t('hr.import.reading');
			const prepared = await prepare(file, kind);
			// The CSRF token of this session, for a request api.js does not make.
			const session = await api.get('/api/v1/session');
			const query = new URLSearchParams({ dry_run: form.elements.dry_run.checked ? 'true' : 'false', file: file.name });
			progress.hidden = false;
			progress.value = 0;
			const reply = await upload(`/api/v1/imports/${encodeURIComponent(kind)}?${query}`, prepared.body, session.csrf_token, (sent, total, done) => {
				progress.value = total ? Math.round((sent / total) * 100) : 0;
				status.textContent = done ? t('hr.import.checking') : t('hr.import.uploading', { sent: formatNumber(sent), total: formatNumber(total) });
			});
			status.textContent = prepared.converted ? t('hr.import.converted') : '';
			if (reply.status === 200)
				result.replaceChildren(countsView(t, reply.data || {}));
			else if (reply.data && Array.isArray(reply.data.row_errors) && reply.data.row_errors.length)
				result.replaceChildren(rowErrorsView(t, reply.data, file.name));
			else
				showProblem(panel, new ApiError(reply.status, reply.data || { title: `HTTP ${reply.status}` }), form);
		} catch (error) {
			status.textContent = '';
			showProblem(panel, error, form);
		} finally {
			submit.disabled = false;
			progress.hidden = true;
		}
	});
}
