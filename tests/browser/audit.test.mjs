// audit.test.mjs — the auditor's pages: the dashboard draws its three charts
// with the numbers the API gives; a short officer is found in the compliance
// list and the CSV download holds the header and that officer; a flag
// dismissed in the queue is dismissed in the API and leaves the open queue;
// the audit log shows the chain intact; the public verification page shows a
// certificate withdrawn through the API as withdrawn; at phone width none of
// the new pages scrolls sideways.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { PHONE, fitsWidth, loginAs, openPage, screenshot } from './lib/browser.mjs';
import { qrUrlOf } from './lib/qr.mjs';
import { ApiClient } from './lib/server.mjs';
import { useServerAndBrowser } from './lib/suite.mjs';

const suite = useServerAndBrowser();

// Last year in China: the demo city's whole year of records.
const YEAR = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date())) - 1;

async function apiAs(role) {
	const account = suite.server.accounts[role];
	const client = new ApiClient(suite.server.baseURL);
	await client.login(account.username, account.password);
	return client;
}

async function getJson(client, urlPath) {
	const reply = await client.call('GET', urlPath);
	assert.equal(reply.status, 200, `GET ${urlPath}: ${reply.text}`);
	return reply.json;
}

test('the dashboard draws three charts with the numbers of the API', async () => {
	const api = await apiAs('auditor');
	const dash = await getJson(api, `/api/v1/reports/dashboard?year=${YEAR}`);
	const orgs = await getJson(api, `/api/v1/reports/orgs?year=${YEAR}`);
	assert.ok(dash.totals.officers > 0 && dash.totals.records > 0, 'the demo city has a year to show');

	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'auditor');
	await tab.page.click(`nav a[data-route="audit/dashboard"]`);
	await tab.page.selectOption('#audit-dash-year', String(YEAR));
	await tab.page.waitForURL(new RegExp(`year=${YEAR}`));
	for (const id of ['audit-chart-units', 'audit-chart-hours', 'audit-chart-months'])
		await tab.page.waitForSelector(`#${id} canvas`);
	const total = (key) => tab.page.textContent(`[data-total="${key}"] .bignum-value`);
	assert.equal(await total('short'), dash.totals.short.toLocaleString('zh-CN'));
	assert.equal(await total('at_risk'), dash.totals.at_risk.toLocaleString('zh-CN'));
	assert.equal(await total('records'), dash.totals.records.toLocaleString('zh-CN'));
	assert.equal(await total('percent_met'), `${dash.totals.percent_met}%`);
	// The numbers behind each chart, read from its table.
	const cells = (id, column) => tab.page.$$eval(`#${id} ~ details tbody tr`, (rows, n) => rows.map((row) => row.cells[n].textContent), column);
	assert.deepEqual(await cells('audit-chart-months', 1), dash.records_by_month.map((m) => m.records.toLocaleString('zh-CN')));
	assert.deepEqual(await cells('audit-chart-hours', 1), dash.hours_histogram.map((b) => b.officers.toLocaleString('zh-CN')));
	assert.deepEqual(await cells('audit-chart-units', 0), orgs.items.map((u) => u.name));
	assert.deepEqual(await cells('audit-chart-units', 5), orgs.items.map((u) => `${u.percent_met}%`));
	await screenshot(tab.page, 'audit-dashboard');
	tab.assertNoErrors();
	await tab.close();
});

test('the auditor finds a short officer and downloads the CSV', async () => {
	const api = await apiAs('auditor');
	const list = await getJson(api, `/api/v1/reports/compliance?year=${YEAR}&status=short&limit=5`);
	const worst = list.items[0];
	assert.ok(worst, 'someone is short');

	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'auditor');
	await tab.page.goto('/#/audit/compliance');
	await tab.page.waitForSelector('form[data-form="compliance-filters"]');
	await tab.page.getByLabel('年度').selectOption(String(YEAR));
	await tab.page.getByLabel('状态').selectOption('short');
	await tab.page.getByRole('button', { name: '筛选' }).click();
	await tab.page.waitForURL(/status=short/);
	await tab.page.waitForSelector('.page-body[data-page="audit/compliance"] table tbody tr');
	const first = await tab.page.$eval('table tbody tr', (row) => [...row.cells].map((cell) => cell.textContent));
	assert.equal(first[1], worst.officer.name);
	assert.equal(first[6], worst.missing_hours);
	assert.ok(await tab.page.$$eval('table tbody [data-status]', (tags) => tags.every((tag) => tag.dataset.status === 'short')));
	await screenshot(tab.page, 'audit-compliance');

	const [download] = await Promise.all([tab.page.waitForEvent('download'), tab.page.click('a[data-link="csv"]')]);
	const file = path.join(suite.server.dataDir, 'compliance.csv');
	await download.saveAs(file);
	const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
	const lines = csv.split('\r\n');
	assert.equal(lines[0], '单位,姓名,身份证号,状态,已计学时,应完成学时,差额学时,说明');
	assert.ok(lines.some((line) => line.includes(worst.officer.name) && line.includes(worst.officer.national_id_masked) && line.includes(',未达标,')),
		'the CSV holds the short officer');
	assert.ok(lines.slice(1).filter(Boolean).every((line) => line.includes(',未达标,')), 'the CSV keeps the status filter');
	const xlsx = await tab.page.getAttribute('a[data-link="xlsx"]', 'href');
	assert.match(xlsx, new RegExp(`^/api/v1/reports/compliance\\.xlsx\\?year=${YEAR}&status=short$`));
	tab.assertNoErrors();
	await tab.close();
});

test('a flag dismissed in the queue is dismissed in the API', async () => {
	const api = await apiAs('auditor');
	const open = await getJson(api, '/api/v1/flags?state=open&limit=500');
	const summaryBefore = await getJson(api, '/api/v1/flags/summary');
	const openTotal = summaryBefore.items.reduce((sum, item) => sum + item.count, 0);
	assert.ok(open.items.length > 0, 'the demo city has open flags');

	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'auditor');
	await tab.page.goto('/#/audit/flags');
	await tab.page.waitForSelector('.page-body[data-page="audit/flags"] table tbody tr');
	assert.equal(await tab.page.getAttribute('[data-open-total]', 'data-open-total'), String(openTotal));
	const flag = open.items[0];
	await tab.page.click(`button[data-action="open"][data-flag="${flag.id}"]`);
	await tab.page.waitForSelector(`.flag-detail[data-flag="${flag.id}"] .flag-history li[data-event="raised"]`);
	// The server's rule: a dismissal needs a reason; the field says so.
	tab.allowStatus(422);
	await tab.page.click('button[data-action="dismiss"]');
	await tab.page.waitForSelector('form[data-form="flag-dismiss"] [data-field-error="reason"]:not([hidden])');
	const reason = '人员已调离，证件已另行注销（浏览器测试）';
	await tab.page.getByLabel('驳回理由').fill(reason);
	await tab.page.click('button[data-action="dismiss"]');
	await tab.page.waitForSelector(`.flag-detail[data-flag="${flag.id}"][data-state="dismissed"] [data-notice="done"]`);
	await tab.page.waitForSelector('.flag-history li[data-event="dismissed"]');
	// The queue reloaded: the flag is gone from the open list and the count went down.
	await tab.page.waitForFunction((n) => document.querySelector('[data-open-total]')?.dataset.openTotal === String(n), openTotal - 1);
	assert.equal(await tab.page.$(`table button[data-flag="${flag.id}"]`), null);
	await screenshot(tab.page, 'audit-flags');

	const after = await getJson(api, `/api/v1/flags/${flag.id}`);
	assert.equal(after.state, 'dismissed');
	assert.equal(after.review_note, reason);
	assert.equal(after.history.at(-1).event, 'dismissed');
	tab.assertNoErrors();
	await tab.close();
});

test('the audit log lists entries and shows the chain intact', async () => {
	const api = await apiAs('auditor');
	const verify = await getJson(api, '/api/v1/audit/verify');
	const newest = await getJson(api, '/api/v1/audit?order=desc&limit=1');
	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'auditor');
	await tab.page.goto('/#/audit/log');
	await tab.page.waitForSelector('[data-verdict]');
	assert.equal(await tab.page.getAttribute('[data-verdict]', 'data-verdict'), verify.ok ? 'ok' : 'broken');
	assert.match(await tab.page.textContent('[data-verdict]'), /审计链完整/);
	await tab.page.waitForSelector('.page-body table tbody tr');
	// Newest first; the login of this very test may be newer than what the API saw.
	const seqs = await tab.page.$$eval('table tbody tr', (rows) => rows.map((row) => Number(row.cells[0].textContent)));
	assert.ok(seqs[0] >= newest.items[0].seq && seqs.every((seq, i) => i === 0 || seq < seqs[i - 1]));
	await screenshot(tab.page, 'audit-log');
	tab.assertNoErrors();
	await tab.close();
});

test('the public page shows a certificate withdrawn through the API as withdrawn', async () => {
	const hr = await apiAs('hr');
	const valid = await getJson(hr, '/api/v1/certificates?status=valid&limit=1');
	const certificate = valid.items[0];
	const change = await hr.call('POST', `/api/v1/certificates/${certificate.id}/status`,
		{ status: 'withdrawn', reason_category: 'misconduct', reason: '浏览器测试：违规执法' });
	assert.equal(change.status, 200, change.text);
	const url = await qrUrlOf(suite.server, hr, certificate.id);
	assert.match(url, /\/v\//);

	const tab = await openPage(suite.browser, suite.server);
	await tab.page.goto(new URL(url).pathname);
	const text = await tab.page.textContent('body');
	assert.match(text, /收回|撤销|withdrawn/i);
	await screenshot(tab.page, 'audit-public-withdrawn');
	tab.assertNoErrors();
	await tab.close();
});

test('at phone width no auditor page scrolls sideways', async () => {
	const tab = await openPage(suite.browser, suite.server, { viewport: PHONE });
	await loginAs(tab.page, suite.server, 'auditor');
	const pages = [
		[`audit/dashboard?year=${YEAR}`, '#audit-chart-months canvas'],
		[`audit/compliance?year=${YEAR}&status=short`, '.page-body table tbody tr'],
		['audit/flags?state=any', '.page-body table tbody tr'],
		['audit/log', '.page-body table tbody tr'],
	];
	for (const [name, ready] of pages) {
		await tab.page.goto(`/#/${name}`);
		await tab.page.waitForSelector(ready);
		if (name.startsWith('audit/flags')) {
			await tab.page.click('table button[data-action="open"]');
			await tab.page.waitForSelector('.flag-detail');
		}
		if (name === 'audit/log')
			await tab.page.click('table details.audit-change summary');
		assert.ok(await fitsWidth(tab.page), `#/${name} is wider than the phone`);
		await screenshot(tab.page, `phone-auditor-${name.split('?')[0].replace('/', '-')}`);
	}
	tab.assertNoErrors();
	await tab.close();
});
