// me.js — the officer's own training registration card for a year: progress
// toward the requirement, hours by category and platform (ECharts), what is
// still missing and by when, the records, and the certificate with its QR code.
// The card itself is drawn by card_view.js, shared with HR's officer page.
import {
	certificateView, chartPanel, missingPanel, printLink, progressPanel, recordsPanel, withCardStrings, yearPicker,
} from '../card_view.js';
import { yearParam } from '../i18n.js';
import { empty, h, section } from '../ui.js';

export const strings = withCardStrings({
	zh: {
		'me.title': '我的培训登记卡',
		'me.certificate': '我的执法证',
	},
	en: {
		'me.title': 'My training registration card',
		'me.certificate': 'My certificate',
	},
});

function certificatePanel(t, certificates, officerId, year) {
	const link = h('p', {}, printLink(t, officerId, year));
	if (!certificates.length)
		return section(t('me.certificate'), empty(t('card.certificate_none')), link);
	return section(t('me.certificate'), certificates.map((cert) => certificateView(t, cert)), link);
}

export async function render(root, ctx) {
	const { t, user } = ctx;
	const year = yearParam(ctx.params);
	const officerId = user.officer_id;
	const [card, certificates] = await Promise.all([
		ctx.api.get(`/api/v1/officers/${officerId}/card?year=${year}`),
		ctx.api.get(`/api/v1/officers/${officerId}/certificates`),
	]);
	root.append(
		h('div', { class: 'page-head' },
			h('h1', {}, t('me.title')),
			yearPicker(t, 'me-year', year, (value) => ctx.navigate('me', { year: value }))),
		h('p', { class: 'subtitle' }, `${card.officer.name} · ${card.officer.org ? card.officer.org.name : ''} · ${card.officer.post || ''}`),
		h('div', { class: 'grid' },
			progressPanel(t, card),
			missingPanel(t, card),
			chartPanel(t, card, 'me-chart'),
			certificatePanel(t, certificates.items || [], officerId, year)),
		recordsPanel(t, card));
}
