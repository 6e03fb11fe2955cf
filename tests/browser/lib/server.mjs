// server.mjs — a fresh tcardd for a browser test file: its embedded
// PostgreSQL in a temp data dir, the demo city, the repository's web/ as web
// root, on a free loopback port. Like tests/lib/testlib.c it reads the
// one-time passwords from DATA_DIR/initial-accounts.txt; it replaces them with
// known ones, except the administrator's, so a test can walk through the
// forced password change in the browser.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const READY_TIMEOUT_MS = 180_000;

export const KNOWN_PASSWORD = 'browser-test-password-1';

function freePort() {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// "  role  username  password  scope…" lines after the heading.
function readInitialAccounts(dataDir) {
	const accounts = {};
	for (const line of readFileSync(path.join(dataDir, 'initial-accounts.txt'), 'utf8').split('\n')) {
		const [role, username, password] = line.trim().split(/\s+/);
		if (['admin', 'hr', 'auditor', 'officer'].includes(role) && username && password)
			accounts[role] = { role, username, password, mustChange: true };
	}
	return accounts;
}

// A cookie-keeping client for the API, for set-up and for checks the test
// makes besides the browser.
export class ApiClient {
	constructor(baseURL) {
		this.baseURL = baseURL;
		this.cookie = '';
		this.csrf = '';
	}

	async call(method, urlPath, body) {
		const headers = { Accept: 'application/json' };
		if (this.cookie)
			headers.Cookie = this.cookie;
		if (this.csrf && method !== 'GET')
			headers['X-CSRF-Token'] = this.csrf;
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		const response = await fetch(this.baseURL + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const setCookie = response.headers.get('set-cookie');
		if (setCookie)
			this.cookie = setCookie.split(';')[0];
		const text = await response.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = null;
		}
		return { status: response.status, json, text };
	}

	async login(username, password) {
		const reply = await this.call('POST', '/api/v1/login', { username, password });
		if (reply.status !== 200)
			throw new Error(`login as ${username}: ${reply.status} ${reply.text}`);
		this.csrf = reply.json.csrf_token;
		return reply.json;
	}
}

async function waitReady(baseURL, child, logPath) {
	const deadline = Date.now() + READY_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`tcardd exited during start-up (${child.exitCode}); see ${logPath}`);
		try {
			if ((await fetch(`${baseURL}/readyz`)).status === 200)
				return;
		} catch {
			// Not listening yet.
		}
		await sleep(200);
	}
	throw new Error(`tcardd was not ready in ${READY_TIMEOUT_MS / 1000} s; see ${logPath}`);
}

// Starts tcardd (TCARDD env: its path, from CMake) and returns
// {baseURL, dataDir, accounts: {role: {username, password, mustChange}}, stop()}.
export async function startServer() {
	const tcardd = process.env.TCARDD;
	if (!tcardd)
		throw new Error('TCARDD (the path of tcardd) is not set');
	const dataDir = mkdtempSync(path.join(tmpdir(), 'tcard-browser-'));
	chmodSync(dataDir, 0o755); // the embedded cluster runs as postgres under root
	const port = await freePort();
	const baseURL = `http://127.0.0.1:${port}`;
	const logPath = path.join(dataDir, 'tcardd.log');
	const log = openSync(logPath, 'a');
	const child = spawn(tcardd, [
		'--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--workers', '2',
		'--web-root', path.join(REPO, 'web'), '--vendor-dir', path.join(REPO, 'node_modules'),
	], { stdio: ['ignore', log, log] });
	try {
		await waitReady(baseURL, child, logPath);
	} catch (error) {
		child.kill('SIGKILL');
		throw error;
	}
	const accounts = readInitialAccounts(dataDir);
	for (const account of Object.values(accounts)) {
		if (account.role === 'admin')
			continue;
		const client = new ApiClient(baseURL);
		const session = await client.login(account.username, account.password);
		if (session.must_change_password) {
			const reply = await client.call('POST', '/api/v1/session/password', { current_password: account.password, new_password: KNOWN_PASSWORD });
			if (reply.status !== 204)
				throw new Error(`password change of ${account.username}: ${reply.status} ${reply.text}`);
			account.password = KNOWN_PASSWORD;
		}
		account.mustChange = false;
		await client.call('POST', '/api/v1/logout');
	}
	return {
		baseURL,
		dataDir,
		accounts,
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await Promise.race([exited, sleep(30_000)]);
				if (child.exitCode === null)
					child.kill('SIGKILL');
			}
			if (!process.env.TCARD_TEST_KEEP)
				rmSync(dataDir, { recursive: true, force: true });
		},
	};
}
