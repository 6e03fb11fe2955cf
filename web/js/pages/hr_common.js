// hr_common.js — helpers the HR pages share (not a page: no route names it):
// a button that is busy while its request runs, every page of a cursor-paged
// list, and the officer status words.
import { clearProblem, h, showProblem, whileBusy } from '../ui.js';

export const officerStatusStrings = {
	zh: { 'hr.status.active': '在岗', 'hr.status.transferred': '调动', 'hr.status.resigned': '辞职', 'hr.status.dismissed': '辞退', 'hr.status.retired': '退休' },
	en: { 'hr.status.active': 'Active', 'hr.status.transferred': 'Transferred', 'hr.status.resigned': 'Resigned', 'hr.status.dismissed': 'Dismissed', 'hr.status.retired': 'Retired' },
};

export const OFFICER_STATUSES = ['active', 'transferred', 'resigned', 'dismissed', 'retired'];

// Runs work with button disabled, so that nothing is sent twice; an error is
// shown in box with its field messages next to the inputs of form.
export function busy(button, box, form, work) {
	return whileBusy(button, async () => {
		try {
			clearProblem(box, form);
			await work();
		} catch (error) {
			showProblem(box, error, form);
		}
	});
}

// Every item of a list the API pages with next_cursor (path without a query),
// 500 at a time; stops early once found(item) says so, returning that item.
export async function allItems(api, path, found) {
	const items = [];
	let cursor = null;
	do {
		const query = new URLSearchParams({ limit: '500' });
		if (cursor)
			query.set('cursor', cursor);
		const page = await api.get(`${path}?${query}`);
		for (const item of page.items || []) {
			if (found && found(item))
				return item;
			items.push(item);
		}
		cursor = page.next_cursor;
	} while (cursor);
	return found ? null : items;
}

// A success message at the top of a page part.
export function notice(text) {
	return h('p', { class: 'notice', role: 'status' }, text);
}
