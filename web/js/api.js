// api.js — the one way pages talk to tcardd: same-origin fetch with the
// session cookie, JSON in and out, the CSRF token on every write (README,
// "Accounts, roles and tokens"), If-Match for versioned resources, and
// problem+json turned into an ApiError carrying title, detail and the
// field-level errors.

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let onUnauthorized = null;

// The CSRF token from POST /api/v1/login or GET /api/v1/session (null: none).
export function setCsrfToken(token) {
	csrfToken = token || null;
}

// Called with the error when a request answers 401 (the session is gone).
export function setUnauthorizedHandler(handler) {
	onUnauthorized = handler;
}

export class ApiError extends Error {
	constructor(status, problem) {
		super(problem.detail || problem.title || `HTTP ${status}`);
		this.name = 'ApiError';
		this.status = status;
		this.type = problem.type || 'about:blank';
		this.title = problem.title || `HTTP ${status}`;
		this.detail = problem.detail || '';
		// [{field, reason, message}], possibly empty.
		this.errors = Array.isArray(problem.errors) ? problem.errors : [];
	}
}

async function problemOf(response) {
	const type = response.headers.get('Content-Type') || '';
	if (type.includes('json')) {
		try {
			return await response.json();
		} catch {
			// Fall through to a problem made from the status.
		}
	}
	return { title: `HTTP ${response.status} ${response.statusText}`.trim() };
}

// request(method, path, {body, ifMatch, headers}) → {status, data, etag}.
// data is the parsed JSON (null for 204 or another type). Throws ApiError on
// any status of 400 and above, and a network failure as ApiError status 0.
export async function request(method, path, options = {}) {
	const headers = { Accept: 'application/json', ...(options.headers || {}) };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };

	if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(options.body);
	}
	if (WRITE_METHODS.has(method) && csrfToken)
		headers['X-CSRF-Token'] = csrfToken;
	if (options.ifMatch)
		headers['If-Match'] = options.ifMatch;
	let response;
	try {
		response = await fetch(path, init);
	} catch (cause) {
		throw new ApiError(0, { title: 'network', detail: String(cause && cause.message || cause) });
	}
	if (!response.ok) {
		const error = new ApiError(response.status, await problemOf(response));
		if (response.status === 401 && onUnauthorized)
			onUnauthorized(error);
		throw error;
	}
	const type = response.headers.get('Content-Type') || '';
	const data = response.status !== 204 && type.includes('json') ? await response.json() : null;
	return { status: response.status, data, etag: response.headers.get('ETag') };
}

// Shorthands returning the JSON body only.
export const api = {
	request,
	get: async (path) => (await request('GET', path)).data,
	post: async (path, body) => (await request('POST', path, { body })).data,
	put: async (path, body, ifMatch) => (await request('PUT', path, { body, ifMatch })).data,
	patch: async (path, body, ifMatch) => (await request('PATCH', path, { body, ifMatch })).data,
	del: async (path, ifMatch) => (await request('DELETE', path, { ifMatch })).data,
};
