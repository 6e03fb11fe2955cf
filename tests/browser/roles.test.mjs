// roles.test.mjs — each demo role logs in through the form and sees only its
// navigation (the administrator first changes its one-time password); the
// officer is refused an HR page and the API answers it 403; logging out
// returns to the login page and ends the API session; at phone width no page
// scrolls sideways.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PHONE, fitsWidth, loginAs, navRoutes, openPage, screenshot } from './lib/browser.mjs';
import { useServerAndBrowser } from './lib/suite.mjs';

const suite = useServerAndBrowser();

const EXPECTED_NAV = {
	admin: ['home', 'hr/officers', 'hr/sessions', 'hr/import', 'audit/dashboard', 'audit/compliance', 'audit/flags', 'audit/log', 'public'],
	hr: ['home', 'hr/officers', 'hr/sessions', 'hr/import', 'public'],
	auditor: ['home', 'audit/dashboard', 'audit/compliance', 'audit/flags', 'audit/log', 'public'],
	officer: ['me', 'public'],
};

for (const role of ['admin', 'hr', 'auditor', 'officer']) {
	test(`${role} logs in and sees only its navigation`, async () => {
		const tab = await openPage(suite.browser, suite.server);
		await loginAs(tab.page, suite.server, role);
		assert.deepEqual(await navRoutes(tab.page), EXPECTED_NAV[role]);
		await screenshot(tab.page, `roles-${role}-home`);
		tab.assertNoErrors();
		await tab.close();
	});
}

test('officer opening an HR page is refused, and so is the API', async () => {
	const tab = await openPage(suite.browser, suite.server);
	tab.allowStatus(403);
	await loginAs(tab.page, suite.server, 'officer');
	await tab.page.goto('/#/hr/officers');
	await tab.page.waitForSelector('[data-refused="true"]');
	assert.match(await tab.page.textContent('[data-refused="true"] h1'), /无权访问/);
	const status = await tab.page.evaluate(async () => (await fetch('/api/v1/officers?limit=1', { credentials: 'same-origin' })).status);
	assert.ok(status === 403 || status === 404, `the API answered ${status}`);
	await screenshot(tab.page, 'roles-officer-refused');
	tab.assertNoErrors();
	await tab.close();
});

test('logout returns to the login page and ends the API session', async () => {
	const tab = await openPage(suite.browser, suite.server);
	await loginAs(tab.page, suite.server, 'hr');
	await tab.page.click('[data-action="logout"]');
	await tab.page.waitForSelector('form[data-form="login"]');
	assert.match(tab.page.url(), /#\/login/);
	const status = await tab.page.evaluate(async () => (await fetch('/api/v1/session', { credentials: 'same-origin' })).status);
	assert.equal(status, 401);
	await tab.page.goto('/#/home');
	await tab.page.waitForSelector('form[data-form="login"]');
	await screenshot(tab.page, 'roles-after-logout');
	tab.assertNoErrors();
	await tab.close();
});

test('at phone width no page scrolls sideways', async () => {
	const tab = await openPage(suite.browser, suite.server, { viewport: PHONE });
	const pages = [['login', 'form[data-form="login"]'], ['public', '.page-body[data-page="public"] table']];
	for (const [name, ready] of pages) {
		await tab.page.goto(`/#/${name}`);
		await tab.page.waitForSelector(ready);
		assert.ok(await fitsWidth(tab.page), `#/${name} is wider than the phone`);
		await screenshot(tab.page, `phone-${name}`);
	}
	for (const [role, name, ready] of [['officer', 'me', '#me-chart canvas'], ['hr', 'hr/officers', '.page-body table'], ['auditor', 'home', '.page-body h1']]) {
		await loginAs(tab.page, suite.server, role);
		await tab.page.goto(`/#/${name}`);
		await tab.page.waitForSelector(ready);
		assert.ok(await fitsWidth(tab.page), `#/${name} as ${role} is wider than the phone`);
		await screenshot(tab.page, `phone-${role}-${name.replace('/', '-')}`);
		await tab.page.click('[data-action="logout"]');
		await tab.page.waitForSelector('form[data-form="login"]');
	}
	tab.assertNoErrors();
	await tab.close();
});
