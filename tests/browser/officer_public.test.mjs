// officer_public.test.mjs — the officer's card with its chart drawn and its
// certificate's QR code loaded; the public page lists the published
// cancellations logged out and a pasted verification URL opens /v/{token}.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { loginAs, openPage, screenshot } from './lib/browser.mjs';
import { ApiClient } from './lib/server.mjs';
import { useServerAndBrowser } from './lib/suite.mjs';

const suite = useServerAndBrowser();

test('officer sees its card with the chart drawn and the QR code loaded', async () => {
	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'officer');
	await tab.page.waitForSelector('.page-body[data-page="me"]');
	await tab.page.waitForSelector('#me-chart canvas, #me-chart svg');
	await tab.page.waitForSelector('.qr img');
	await tab.page.waitForFunction(() => {
		const image = document.querySelector('.qr img');
		return image.complete && image.naturalWidth > 0;
	});
	assert.match(await tab.page.textContent('.progress-text'), /学时/);
	assert.ok(await tab.page.$('a[href^="/cards/"]'), 'a link to the printable card');
	await screenshot(tab.page, 'officer-card');
	// The English toggle is remembered.
	await tab.page.click('[data-action="language"]');
	await tab.page.waitForSelector('text=My training registration card');
	await tab.page.reload();
	await tab.page.waitForSelector('text=My training registration card');
	await screenshot(tab.page, 'officer-card-en');
	tab.assertNoErrors();
	await tab.close();
});

test('public page lists cancellations logged out and verifies a pasted URL', async () => {
	// A real code: what the officer's QR image holds, read back with zbarimg.
	const officer = suite.server.accounts.officer;
	const client = new ApiClient(suite.server.baseURL);
	const session = await client.login(officer.username, officer.password);
	const certificates = await client.call('GET', `/api/v1/officers/${session.user.officer_id}/certificates`);
	const png = await fetch(`${suite.server.baseURL}/api/v1/certificates/${certificates.json.items[0].id}/qr.png`, { headers: { Cookie: client.cookie } });
	assert.equal(png.status, 200);
	const file = path.join(suite.server.dataDir, 'qr.png');
	writeFileSync(file, Buffer.from(await png.arrayBuffer()));
	const url = execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
	assert.match(url, /\/v\//);

	const tab = await openPage(suite.browser, suite.server);
	await tab.page.goto('/#/login');
	await tab.page.click('a[data-link="public"]');
	await tab.page.waitForSelector('.page-body[data-page="public"] table tbody tr');
	assert.ok(await tab.page.$$eval('.page-body table tbody tr', (rows) => rows.length) > 0);
	await screenshot(tab.page, 'public-list');
	await tab.page.getByLabel('验证码或网址').fill(`  ${url}  `);
	await tab.page.getByRole('button', { name: '验证' }).click();
	await tab.page.waitForURL(/\/v\/[A-Za-z0-9_.~-]+/);
	assert.equal(new URL(tab.page.url()).pathname, new URL(url).pathname);
	await screenshot(tab.page, 'public-verified');
	tab.assertNoErrors();
	await tab.close();
});

test('a live certificate past its expiry day says so on the card', async () => {
	// HR moves the officer's certificate to have expired yesterday (China time).
	const officer = suite.server.accounts.officer;
	const hr = new ApiClient(suite.server.baseURL);
	await hr.login(suite.server.accounts.hr.username, suite.server.accounts.hr.password);
	const own = new ApiClient(suite.server.baseURL);
	const session = await own.login(officer.username, officer.password);
	const listed = await own.call('GET', `/api/v1/officers/${session.user.officer_id}/certificates`);
	const live = listed.json.items.find((c) => c.status === 'valid');
	assert.ok(live, 'the demo officer holds a valid certificate');
	const read = await fetch(`${suite.server.baseURL}/api/v1/certificates/${live.id}`, { headers: { Cookie: hr.cookie } });
	assert.equal(read.status, 200);
	const day = (offset) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + offset * 86400000));
	const patched = await fetch(`${suite.server.baseURL}/api/v1/certificates/${live.id}`, {
		method: 'PATCH',
		headers: { Cookie: hr.cookie, 'X-CSRF-Token': hr.csrf, 'If-Match': read.headers.get('ETag'), 'Content-Type': 'application/json' },
		body: JSON.stringify({ issued_on: day(-400), expires_on: day(-1) }),
	});
	assert.equal(patched.status, 200, await patched.text());

	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'officer');
	const certificate = tab.page.locator(`.certificate[data-certificate="${live.id}"]`);
	await certificate.waitFor();
	assert.equal(await certificate.getAttribute('data-expired'), 'true');
	assert.match(await certificate.locator('dd.cert-expired').textContent(), /有效（已过期）/);
	tab.assertNoErrors();
	await tab.close();
});
