// browser.mjs — Debian's chromium driven by playwright-core (never a
// downloaded browser), pages that fail the test on any console error or page
// error, logging in as a role through the UI, and screenshots saved as test
// artefacts under TCARD_BROWSER_ARTIFACTS (the build directory's
// browser-artifacts/, set by CMake).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 860 };
// The administrator's password once the test replaced its one-time one.
const KNOWN_AFTER_CHANGE = 'browser-test-password-2';

export function launchBrowser() {
	return chromium.launch({
		executablePath: process.env.TCARD_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox'],
	});
}

// A page of its own context (own cookies) with an error log. A failed fetch
// shows in the console as "Failed to load resource … status of N": statuses
// the test expects (401 before logging in, always) pass with allowStatus().
export async function openPage(browser, server, options = {}) {
	const context = await browser.newContext({ baseURL: server.baseURL, viewport: options.viewport || DESKTOP, locale: 'zh-CN' });
	const page = await context.newPage();
	const errors = [];
	const allowed = new Set([401]);
	page.on('console', (message) => {
		if (message.type() !== 'error')
			return;
		const status = /status of (\d{3})/.exec(message.text());
		if (status && allowed.has(Number(status[1])))
			return;
		errors.push(`console: ${message.text()} (${message.location().url})`);
	});
	page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
	return {
		page,
		context,
		allowStatus: (status) => allowed.add(status),
		assertNoErrors: () => assert.deepEqual(errors, [], 'the page logged errors'),
		close: () => context.close(),
	};
}

export async function screenshot(page, name) {
	const dir = process.env.TCARD_BROWSER_ARTIFACTS || path.resolve('browser-artifacts');
	mkdirSync(dir, { recursive: true });
	await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// Logs in as the demo account of role through the login form; a one-time
// password is replaced on the forced change screen (and remembered).
export async function loginAs(page, server, role) {
	const account = server.accounts[role];
	await page.goto('/#/login');
	await page.getByLabel('用户名').fill(account.username);
	await page.getByLabel('密码', { exact: true }).fill(account.password);
	await page.getByRole('button', { name: '登录' }).click();
	if (account.mustChange) {
		await page.waitForSelector('form[data-form="password"]');
		await page.getByLabel('当前密码').fill(account.password);
		await page.getByLabel('新密码', { exact: true }).fill(KNOWN_AFTER_CHANGE);
		await page.getByLabel('再次输入新密码').fill(KNOWN_AFTER_CHANGE);
		await page.getByRole('button', { name: '保存新密码' }).click();
		account.password = KNOWN_AFTER_CHANGE;
		account.mustChange = false;
	}
	await page.waitForSelector('[data-action="logout"]');
	await page.waitForSelector('.page-body');
}

// The route names of the navigation as shown.
export async function navRoutes(page) {
	return page.$$eval('nav.nav a[data-route]', (links) => links.map((link) => link.dataset.route));
}

// 1 when the document is no wider than the viewport (no sideways scroll).
export async function fitsWidth(page) {
	return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}
