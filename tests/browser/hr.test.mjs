// hr.test.mjs — the HR pages: a clerk registers a session and pastes an
// officer's national ID, and that officer's card shows the new hours; partial
// credit and revocation move the card's totals; a CSV import (GB18030, Chinese
// headers) with one bad row shows the row and column and writes nothing, then a
// good file imports; at phone width no HR page scrolls sideways.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { PHONE, fitsWidth, loginAs, openPage, screenshot } from './lib/browser.mjs';
import { ApiClient } from './lib/server.mjs';
import { useServerAndBrowser } from './lib/suite.mjs';

const suite = useServerAndBrowser();
const ADMIN_PASSWORD = 'browser-test-admin-hr-1';
const YEAR = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
let serial = 0;

// "63.00" → 6300, so that totals compare exactly.
function hundredths(text) {
	const [whole, part = ''] = String(text).split('.');
	return Number(whole) * 100 + Number(part.padEnd(2, '0'));
}

// One API session per role, logged in once (each login hashes a password).
const clients = new Map();

async function apiAs(role) {
	if (!clients.has(role))
		clients.set(role, await login(role));
	return clients.get(role);
}

async function login(role) {
	const account = suite.server.accounts[role];
	const client = new ApiClient(suite.server.baseURL);
	const session = await client.login(account.username, account.password);
	if (session.must_change_password) {
		const reply = await client.call('POST', '/api/v1/session/password', { current_password: account.password, new_password: ADMIN_PASSWORD });
		assert.equal(reply.status, 204, reply.text);
		account.password = ADMIN_PASSWORD;
		account.mustChange = false;
		return login(role);
	}
	client.user = session.user;
	return client;
}

async function nationalId(officerId) {
	const admin = await apiAs('admin');
	const reply = await admin.call('GET', `/api/v1/officers/${officerId}?reveal=national_id`);
	assert.equal(reply.status, 200, reply.text);
	assert.match(reply.json.national_id, /^\d{17}[\dX]$/);
	return reply.json.national_id;
}

async function officerId() {
	return (await apiAs('officer')).user.officer_id;
}

async function cardCounted(client, id) {
	const reply = await client.call('GET', `/api/v1/officers/${id}/card?year=${YEAR}`);
	assert.equal(reply.status, 200, reply.text);
	return reply.json.counted_hours;
}

// A session of the HR clerk's county on 15 January, through the API.
async function apiSession(hr, fields = {}) {
	serial += 1;
	const reply = await hr.call('POST', '/api/v1/sessions', {
		title: `浏览器测试培训 ${Date.now()}-${serial}`, org_id: hr.user.org_id, category: 'public_law', form: 'lecture',
		starts_at: `${YEAR}-01-15T09:00:00+08:00`, ends_at: `${YEAR}-01-15T12:00:00+08:00`, declared_hours: '3', ...fields,
	});
	assert.equal(reply.status, 201, reply.text);
	return reply.json;
}

async function attendanceOf(client, sessionId) {
	const reply = await client.call('GET', `/api/v1/sessions/${sessionId}/attendance?limit=500`);
	assert.equal(reply.status, 200, reply.text);
	return reply.json.items;
}

// The officer's own card as the page shows it: the counted hours' text.
async function officerCounted(page) {
	await page.goto(`/#/me?year=${YEAR}`);
	// The same hash again does not render anew: reload.
	await page.reload();
	await page.waitForSelector('.page-body[data-page="me"] .progress-text');
	return page.getAttribute('.progress-text', 'data-counted');
}

test('HR registers a session by pasting a national ID and the officer sees the hours', async () => {
	const id = await officerId();
	const whole = await nationalId(id);
	const officerTab = await openPage(suite.browser, suite.server);
	await loginAs(officerTab.page, suite.server, 'officer');
	const before = await officerCounted(officerTab.page);

	const tab = await openPage(suite.browser, suite.server);
	tab.allowStatus(422);
	await loginAs(tab.page, suite.server, 'hr');
	await tab.page.goto('/#/hr/sessions');
	await tab.page.waitForSelector('.page-body[data-page="hr/sessions"] table');
	await screenshot(tab.page, 'hr-sessions');
	await tab.page.click('[data-action="new-session"]');
	const form = tab.page.locator('form[data-form="session-new"]');
	await form.waitFor();
	const title = `行政处罚法专题讲座（浏览器测试 ${Date.now()}）`;
	await form.getByLabel('培训名称').fill(title);
	await form.getByLabel('类别').selectOption('public_law');
	await form.getByLabel('培训形式').selectOption('lecture');
	await form.getByLabel('开始时间').fill(`${YEAR}-01-20T09:00`);
	await form.getByLabel('结束时间').fill(`${YEAR}-01-20T09:30`);
	await screenshot(tab.page, 'hr-session-new');
	// Without hours or a sensible span the API's field error shows by the input.
	await form.getByLabel('申报学时').fill('30');
	await form.getByRole('button', { name: '登记培训' }).click();
	await form.locator('[data-field-error="declared_hours"]:not([hidden])').waitFor();
	await form.getByLabel('申报学时').fill('2.5');
	await form.getByRole('button', { name: '登记培训' }).click();
	await tab.page.waitForSelector('.page-body[data-page="hr/session"] .notice');
	assert.equal(await tab.page.textContent('.page-body h1'), title);
	const sessionId = Number(new URL(tab.page.url()).hash.match(/id=(\d+)/)[1]);

	await tab.page.getByLabel('粘贴身份证号（每行一个）').fill(`${whole}\n`);
	await tab.page.getByRole('button', { name: '登记参训' }).click();
	await tab.page.waitForSelector('[data-result="ok"]');
	assert.equal(await tab.page.getAttribute('.register-result [data-answer]', 'data-answer'), 'created');
	await tab.page.waitForSelector('[data-panel="attendance"] table');
	assert.match(await tab.page.textContent('[data-panel="attendance"] h2'), /1 人/);
	// Pasting it again: the API answers "already there", nothing doubles.
	await tab.page.getByLabel('粘贴身份证号（每行一个）').fill(whole);
	await tab.page.getByRole('button', { name: '登记参训' }).click();
	await tab.page.waitForSelector('.register-result [data-answer="existing"]');
	// A wrong check digit is named on its line and nothing is written.
	const wrong = whole.slice(0, 17) + (whole[17] === '0' ? '1' : '0');
	await tab.page.getByLabel('粘贴身份证号（每行一个）').fill(`${whole}\n${wrong}`);
	await tab.page.getByRole('button', { name: '登记参训' }).click();
	await tab.page.waitForSelector('[data-result="refused"]');
	assert.match(await tab.page.textContent('.register-result [data-answer="error"]'), /校验码/);
	await screenshot(tab.page, 'hr-session-attendance');
	const hr = await apiAs('hr');
	const records = await attendanceOf(hr, sessionId);
	assert.deepEqual(records.map((r) => r.officer.id), [id]);
	assert.equal(records[0].credited_hours, '2.50');
	tab.assertNoErrors();
	await tab.close();

	const after = await officerCounted(officerTab.page);
	assert.equal(hundredths(after) - hundredths(before), 250, `card went from ${before} to ${after}`);
	assert.equal(after, await cardCounted(hr, id));
	await screenshot(officerTab.page, 'hr-officer-sees-hours');
	officerTab.assertNoErrors();
	await officerTab.close();
});

test('HR gives partial credit and revokes a record, and the card totals follow', async () => {
	const hr = await apiAs('hr');
	const id = await officerId();
	const session = await apiSession(hr, { declared_hours: '4' });
	assert.equal((await hr.call('POST', `/api/v1/sessions/${session.id}/attendance`, { officers: [{ officer_id: id }] })).status, 201);
	const start = await cardCounted(hr, id);

	const tab = await openPage(suite.browser, suite.server);
	tab.allowStatus(422);
	await loginAs(tab.page, suite.server, 'hr');
	await tab.page.goto(`/#/hr/officer?id=${id}&year=${YEAR}`);
	await tab.page.waitForSelector('#hr-officer-chart canvas');
	assert.equal(await tab.page.getAttribute('.progress-text', 'data-counted'), start);
	assert.match(await tab.page.textContent('[data-national-id]'), /^\d{6}\*{8}[\dX]{4}$/);
	await screenshot(tab.page, 'hr-officer');
	const row = () => tab.page.locator('tr', { hasText: session.title });

	await row().getByRole('button', { name: '部分认定' }).click();
	const partial = tab.page.locator('form[data-form="record-partial"]');
	await partial.getByLabel('认定学时').fill('1.5');
	await partial.getByLabel('认定说明').fill('中途离场');
	await partial.getByRole('button', { name: '保存' }).click();
	await tab.page.waitForSelector('.officer-body .notice');
	const afterPartial = await tab.page.getAttribute('.progress-text', 'data-counted');
	assert.equal(hundredths(start) - hundredths(afterPartial), 250, `partial: ${start} → ${afterPartial}`);
	assert.match(await row().textContent(), /1\.50/);
	assert.equal(afterPartial, await cardCounted(hr, id));

	await row().getByRole('button', { name: '撤销' }).click();
	const revoke = tab.page.locator('form[data-form="record-revoke"]');
	// The reason is required: the API's field error shows next to the input.
	await revoke.getByLabel('撤销原因').fill(' ');
	await revoke.getByRole('button', { name: '保存' }).click();
	await revoke.locator('[data-field-error="revoked_reason"]:not([hidden])').waitFor();
	await revoke.getByLabel('撤销原因').fill('重复登记');
	await revoke.getByRole('button', { name: '保存' }).click();
	await tab.page.waitForFunction((previous) => document.querySelector('.progress-text')?.dataset.counted !== previous, afterPartial);
	const afterRevoke = await tab.page.getAttribute('.progress-text', 'data-counted');
	assert.equal(hundredths(afterPartial) - hundredths(afterRevoke), 150, `revoke: ${afterPartial} → ${afterRevoke}`);
	assert.match(await row().textContent(), /已撤销/);
	assert.ok(await row().getByRole('button', { name: '恢复' }).isVisible());
	const records = await attendanceOf(hr, session.id);
	assert.equal(records[0].status, 'revoked');
	assert.equal(records[0].revoked_reason, '重复登记');
	assert.equal(afterRevoke, await cardCounted(hr, id));
	await screenshot(tab.page, 'hr-officer-revoked');

	// A certificate issued in a new domain, then suspended.
	const number = `粤梅测${Date.now() % 100000000}`;
	await tab.page.click('[data-issue] summary');
	const issue = tab.page.locator('form[data-form="certificate-issue"]');
	await issue.getByLabel('证号').fill(number);
	await issue.getByLabel('执法类别').fill('食品安全执法');
	await issue.getByLabel('有效期至').fill(`${YEAR + 3}-12-31`);
	await issue.getByRole('button', { name: '核发执法证' }).click();
	await tab.page.waitForSelector('.officer-body .notice');
	const cert = tab.page.locator('.certificate', { hasText: number });
	assert.equal(await cert.getAttribute('data-status'), 'valid');
	await cert.locator('summary').click();
	await cert.getByLabel('变更为').selectOption('suspended');
	await cert.getByLabel('原因类别').selectOption('misconduct');
	await cert.getByRole('button', { name: '变更状态' }).click();
	await tab.page.waitForSelector(`.certificate[data-status="suspended"]`);
	const certificates = (await hr.call('GET', `/api/v1/officers/${id}/certificates`)).json.items;
	const issued = certificates.find((c) => c.number === number);
	assert.equal(issued.status, 'suspended');
	assert.equal(issued.status_reason_category, 'misconduct');
	tab.assertNoErrors();
	await tab.close();
});

test('HR imports a CSV: a bad row is named and nothing lands; a good file imports', async () => {
	const hr = await apiAs('hr');
	const session = await apiSession(hr, { code: `BT-IMPORT-${Date.now()}` });
	const officers = (await hr.call('GET', '/api/v1/officers?status=active&limit=3')).json.items;
	const ids = [];
	for (const officer of officers.slice(0, 2))
		ids.push(await nationalId(officer.id));
	const bad = ids[1].slice(0, 17) + (ids[1][17] === '0' ? '1' : '0');
	// As Excel saves a Chinese sheet: GB18030 with Chinese headers.
	const gb18030 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: text });
	const badFile = gb18030(`身份证号,培训编号,认定说明\r\n${ids[0]},${session.code},\r\n${bad},${session.code},\r\n`);
	const goodFile = gb18030(`身份证号,培训编号\r\n${ids[0]},${session.code}\r\n${ids[1]},${session.code}\r\n`);

	const tab = await openPage(suite.browser, suite.server);
	tab.allowStatus(422);
	await loginAs(tab.page, suite.server, 'hr');
	await tab.page.goto('/#/hr/import');
	const form = tab.page.locator('form[data-form="import"]');
	await form.waitFor();
	await form.getByLabel('导入内容').selectOption('attendance');
	await form.getByLabel('CSV 文件').setInputFiles({ name: '培训登记.csv', mimeType: 'text/csv', buffer: badFile });
	assert.equal(await form.getByLabel('只校验，不导入').isChecked(), false);
	await form.getByRole('button', { name: '上传' }).click();
	await tab.page.waitForSelector('[data-result="errors"] table');
	const cells = await tab.page.$$eval('[data-result="errors"] tbody tr', (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
	assert.equal(cells.length, 1, JSON.stringify(cells));
	assert.equal(cells[0][0], '3');
	assert.equal(cells[0][1], 'national_id');
	assert.match(cells[0][3], /校验码|check digit/);
	assert.match(await tab.page.textContent('.import-status'), /GBK/);
	// The errors as a CSV built in the page, downloaded.
	const [download] = await Promise.all([tab.page.waitForEvent('download'), tab.page.click('[data-action="download-errors"]')]);
	assert.equal(download.suggestedFilename(), '培训登记.errors.csv');
	const csv = readFileSync(await download.path(), 'utf8');
	assert.match(csv, /^\uFEFF行号,列,内容,原因\r\n3,national_id,/);
	await screenshot(tab.page, 'hr-import-errors');
	assert.deepEqual(await attendanceOf(hr, session.id), [], 'the bad file wrote nothing');

	await form.getByLabel('CSV 文件').setInputFiles({ name: '培训登记-改.csv', mimeType: 'text/csv', buffer: goodFile });
	await form.getByRole('button', { name: '上传' }).click();
	await tab.page.waitForSelector('[data-result="ok"]');
	assert.equal(await tab.page.textContent('[data-count="rows"]'), '2');
	assert.equal(await tab.page.textContent('[data-count="inserted"]'), '2');
	await screenshot(tab.page, 'hr-import-done');
	assert.equal((await attendanceOf(hr, session.id)).length, 2);
	tab.assertNoErrors();
	await tab.close();
});

test('HR finds officers by name, status and compliance, and pages on', async () => {
	const hr = await apiAs('hr');
	const report = await hr.call('GET', `/api/v1/reports/compliance?year=${YEAR}&status=short&limit=100`);
	const short = report.json.items.find((item) => item.officer.status === 'active');
	assert.ok(short, 'the demo city has an active officer short on hours');
	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'hr');
	await tab.page.goto('/#/hr/officers');
	await tab.page.waitForSelector('.page-body[data-page="hr/officers"] table');
	const first = await tab.page.textContent('.page-body tbody tr');
	await tab.page.click('[data-action="next-page"]');
	await tab.page.waitForFunction((text) => document.querySelector('.page-body tbody tr')?.textContent !== text, first);
	const form = tab.page.locator('form[data-form="officer-search"]');
	await form.getByLabel('学时达标情况').selectOption('short');
	assert.ok(await form.getByLabel('姓名或身份证号').isDisabled());
	await form.getByRole('button', { name: '查询' }).click();
	await tab.page.waitForSelector('.page-body tbody .status-short');
	const statuses = await tab.page.$$eval('.page-body tbody tr td:nth-child(4)', (cells) => cells.map((cell) => cell.textContent));
	assert.ok(statuses.length > 0 && statuses.every((text) => text === '未达标'), statuses.join());
	assert.ok(await tab.page.$(`.page-body tbody a[data-officer="${short.officer.id}"]`), 'the short officer is listed');
	await screenshot(tab.page, 'hr-officers-short');
	// Searched by name with a status, the officer is found and opens.
	await form.getByLabel('学时达标情况').selectOption('');
	await form.getByLabel('姓名或身份证号').fill(short.officer.name);
	await form.getByLabel('人员状态').selectOption('active');
	await form.getByRole('button', { name: '查询' }).click();
	await tab.page.waitForURL(/status=active/);
	await tab.page.waitForSelector(`.page-body tbody a[data-officer="${short.officer.id}"]`);
	const names = await tab.page.$$eval('.page-body tbody a[data-officer]', (links) => links.map((a) => a.textContent));
	assert.ok(names.every((text) => text.includes(short.officer.name)), names.join());
	await screenshot(tab.page, 'hr-officers');
	await tab.page.click(`.page-body tbody a[data-officer="${short.officer.id}"]`);
	await tab.page.waitForSelector('.page-body[data-page="hr/officer"] .status-short');
	assert.equal(await tab.page.getAttribute('.progress-text', 'data-counted'), short.counted_hours);
	tab.assertNoErrors();
	await tab.close();
});

test('at phone width no HR page scrolls sideways', async () => {
	const hr = await apiAs('hr');
	const session = await apiSession(hr);
	const id = await officerId();
	await hr.call('POST', `/api/v1/sessions/${session.id}/attendance`, { officers: [{ officer_id: id }] });
	const tab = await openPage(suite.browser, suite.server, { viewport: PHONE });
	await loginAs(tab.page, suite.server, 'hr');
	const pages = [
		['hr/officers', '.page-body table'],
		['hr/officers?compliance=short', '.page-body table'],
		[`hr/officer?id=${id}`, '#hr-officer-chart canvas'],
		['hr/sessions', '.page-body table'],
		['hr/session', 'form[data-form="session-new"]'],
		[`hr/session?id=${session.id}`, '[data-panel="attendance"] table'],
		['hr/import', 'form[data-form="import"]'],
	];
	for (const [path, ready] of pages) {
		await tab.page.goto(`/#/${path}`);
		await tab.page.waitForSelector(ready);
		assert.ok(await fitsWidth(tab.page), `#/${path} is wider than the phone`);
		await screenshot(tab.page, `phone-hr-${path.replace(/[/?=&]+/g, '-')}`);
	}
	tab.assertNoErrors();
	await tab.close();
});
