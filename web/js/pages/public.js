// public.js — for anyone, logged in or not: the published cancellations of
// enforcement certificates (GET /public/cancelled-certificates, paged, with a
// CSV download) and a box that checks a certificate's code: a token, or the
// URL a QR scan gives, opens the verification page /v/{token}.
import { formatDate, getLang } from '../i18n.js';
import { clearProblem, field, h, loading, section, showProblem, table } from '../ui.js';

export const strings = {
	zh: {
		'public.title': '公示与验证',
		'public.verify': '验证执法证',
		'public.verify_hint': '粘贴二维码扫描得到的网址，或其中 /v/ 之后的验证码。',
		'public.verify_input': '验证码或网址',
		'public.verify_submit': '验证',
		'public.verify_invalid': '无法识别的验证码',
		'public.verify_invalid_detail': '验证码只含字母、数字、“-”、“_”和“.”，或为含 /v/ 的网址。',
		'public.cancelled': '执法证注销公示',
		'public.csv': '下载 CSV',
		'public.col.number': '证号', 'public.col.name': '姓名', 'public.col.unit': '单位', 'public.col.date': '注销日期', 'public.col.reason': '原因',
	},
	en: {
		'public.title': 'Notices and verification',
		'public.verify': 'Verify a certificate',
		'public.verify_hint': 'Paste the URL a QR scan gives, or the code after /v/ in it.',
		'public.verify_input': 'Code or URL',
		'public.verify_submit': 'Verify',
		'public.verify_invalid': 'Not a verification code',
		'public.verify_invalid_detail': 'A code holds letters, digits, "-", "_" and "." only, or is a URL with /v/ in it.',
		'public.cancelled': 'Published cancellations',
		'public.csv': 'Download CSV',
		'public.col.number': 'Number', 'public.col.name': 'Name', 'public.col.unit': 'Unit', 'public.col.date': 'Cancelled on', 'public.col.reason': 'Reason',
	},
};

const PAGE_SIZE = 20;

// The token in a pasted code or URL ("https://…/v/TOKEN?x" → TOKEN), or null.
export function tokenFrom(text) {
	let value = String(text || '').trim();
	const at = value.lastIndexOf('/v/');
	if (at >= 0)
		value = value.slice(at + 3);
	value = value.split(/[?#]/)[0].replace(/\/+$/, '');
	return /^[A-Za-z0-9_.~-]{8,600}$/.test(value) ? value : null;
}

// "遗失 / lost" → the half in the current language.
function bilingual(text) {
	const parts = String(text || '').split(' / ');
	return parts.length === 2 && getLang() === 'en' ? parts[1] : parts[0];
}

function verifyPanel(ctx) {
	const { t } = ctx;
	const form = h('form', { class: 'form', novalidate: true, 'data-form': 'verify' },
		field({ label: t('public.verify_input'), name: 'token', hint: t('public.verify_hint'), autocomplete: 'off', spellcheck: 'false', required: true }),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('public.verify_submit'))));
	const panel = section(t('public.verify'), form);
	form.addEventListener('submit', (event) => {
		event.preventDefault();
		clearProblem(panel, form);
		const token = tokenFrom(form.elements.token.value);
		if (!token) {
			showProblem(panel, { title: t('public.verify_invalid'), detail: t('public.verify_invalid_detail'), errors: [{ field: 'token', message: t('public.verify_invalid_detail') }] }, form);
			return;
		}
		location.assign(`/v/${encodeURIComponent(token)}${getLang() === 'en' ? '?lang=en' : ''}`);
	});
	return panel;
}

function cancelledPanel(ctx) {
	const { t } = ctx;
	const body = h('div', { class: 'list-body' });
	const panel = section(t('public.cancelled'),
		h('p', {}, h('a', { href: '/public/cancelled-certificates.csv', download: '', 'data-link': 'csv' }, t('public.csv'))),
		body);
	const columns = [
		{ label: t('public.col.number'), value: (c) => c.number },
		{ label: t('public.col.name'), value: (c) => c.name_masked },
		{ label: t('public.col.unit'), value: (c) => c.unit },
		{ label: t('public.col.date'), value: (c) => formatDate(c.cancelled_on) },
		{ label: t('public.col.reason'), value: (c) => bilingual(c.reason_label) },
	];
	async function show(cursor) {
		body.replaceChildren(loading());
		try {
			const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
			if (cursor)
				query.set('cursor', cursor);
			const page = await ctx.api.get(`/public/cancelled-certificates?${query}`);
			body.replaceChildren(table(columns, page.items || []),
				h('p', { class: 'pager' },
					cursor ? h('button', { type: 'button', class: 'secondary', onclick: () => show(null) }, t('common.first')) : null,
					page.next_cursor ? h('button', { type: 'button', class: 'secondary', 'data-action': 'next', onclick: () => show(page.next_cursor) }, t('common.next')) : null));
		} catch (error) {
			body.replaceChildren();
			showProblem(body, error);
		}
	}
	show(null);
	return panel;
}

export async function render(root, ctx) {
	root.append(h('h1', {}, ctx.t('public.title')), verifyPanel(ctx), cancelledPanel(ctx));
}
