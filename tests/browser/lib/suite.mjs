// suite.mjs — one tcardd and one chromium for a test file: started before
// its first test, stopped after its last. Read .server and .browser inside
// the tests (they are set once `before` has run).
import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

export function useServerAndBrowser() {
	const suite = { server: null, browser: null };
	before(async () => {
		suite.server = await startServer();
		suite.browser = await launchBrowser();
	});
	after(async () => {
		await suite.browser?.close();
		await suite.server?.stop();
	});
	return suite;
}
