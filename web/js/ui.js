// ui.js — small DOM helpers. Everything is built with createElement and
// textContent: data never goes through innerHTML.
import { currentYear, t } from './i18n.js';

function appendChildren(element, children) {
	for (const child of children) {
		if (child === null || child === undefined || child === false)
			continue;
		if (Array.isArray(child))
			appendChildren(element, child);
		else if (child instanceof Node)
			element.append(child);
		else
			element.append(document.createTextNode(String(child)));
	}
}

// h('a', {href: '#/me', class: 'nav', onclick: fn}, 'text', child…).
// Attributes: on* take functions (listeners); class, for, aria-*, data-* and
// the rest are set as attributes; value, checked, disabled, selected as
// properties. Children: nodes, text (as text nodes), arrays; null skipped.
export function h(tag, attrs, ...children) {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs || {})) {
		if (value === null || value === undefined || value === false)
			continue;
		if (name.startsWith('on') && typeof value === 'function')
			element.addEventListener(name.slice(2), value);
		else if (['value', 'checked', 'disabled', 'selected'].includes(name))
			element[name] = value;
		else
			element.setAttribute(name, value === true ? '' : String(value));
	}
	appendChildren(element, children);
	return element;
}

export function clear(element) {
	element.replaceChildren();
	return element;
}

export function loading() {
	return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

export function empty(text) {
	return h('p', { class: 'empty' }, text || t('common.empty'));
}

// A labelled form field: {label, name, type, ...input attributes}. The error
// slot after the input is where showProblem writes that field's message.
export function field({ label, name, type = 'text', hint, options, ...attrs }) {
	const id = `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
	const errorId = `${id}-error`;
	const control = type === 'select'
		? h('select', { id, name, ...attrs }, options || [])
		: h('input', { id, name, type, ...attrs });
	return h('div', { class: 'field' },
		h('label', { for: id }, label),
		control,
		hint ? h('p', { class: 'hint' }, hint) : null,
		h('p', { class: 'field-error', id: errorId, 'data-field-error': name, hidden: true }));
}

// Removes what showProblem left in container (and form).
export function clearProblem(container, form) {
	container.querySelectorAll('.problem').forEach((node) => node.remove());
	for (const slot of (form || container).querySelectorAll('[data-field-error]')) {
		slot.hidden = true;
		slot.textContent = '';
	}
	for (const input of (form || container).querySelectorAll('[aria-invalid]')) {
		input.removeAttribute('aria-invalid');
		input.removeAttribute('aria-describedby');
	}
}

// Shows an error as the problem's title and detail at the top of container,
// and each field error next to its input in form (or, when the form has no
// such input, in the list under the title).
export function showProblem(container, error, form) {
	clearProblem(container, form);
	const title = error && error.status === 0 ? t('common.network') : (error && error.title) || t('common.error');
	const detail = error && error.status !== 0 && error.detail && error.detail !== title ? error.detail : null;
	const unplaced = [];
	for (const item of (error && error.errors) || []) {
		const slot = form && form.querySelector(`[data-field-error="${CSS.escape(item.field || '')}"]`);
		const input = form && form.querySelector(`[name="${CSS.escape(item.field || '')}"]`);
		if (slot && input) {
			slot.textContent = item.message || item.reason || '';
			slot.hidden = false;
			input.setAttribute('aria-invalid', 'true');
			input.setAttribute('aria-describedby', slot.id);
		} else {
			unplaced.push(item);
		}
	}
	const box = h('div', { class: 'problem', role: 'alert' },
		h('p', { class: 'problem-title' }, title),
		detail ? h('p', { class: 'problem-detail' }, detail) : null,
		unplaced.length ? h('ul', {}, unplaced.map((item) => h('li', {}, `${item.field}: ${item.message || item.reason}`))) : null);
	container.prepend(box);
	return box;
}

// A table that becomes a list of cards on a phone (CSS: table.responsive).
// columns: [{label, value: row => text or node, numeric}].
export function table(columns, rows, caption) {
	if (!rows.length)
		return empty();
	return h('div', { class: 'table-wrap' },
		h('table', { class: 'responsive' },
			caption ? h('caption', {}, caption) : null,
			h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: column.numeric ? 'num' : null }, column.label)))),
			h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((column) =>
				h('td', { 'data-label': column.label, class: column.numeric ? 'num' : null }, column.value(row))))))));
}

// A section with a heading.
export function section(title, ...children) {
	return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

// <option>s of this year and the five before it, year selected.
export function yearOptions(year) {
	const now = currentYear();
	const options = [];
	for (let y = now; y >= now - 5; y--)
		options.push(h('option', { value: String(y), selected: y === year }, String(y)));
	return options;
}

// Runs task with button disabled (and aria-busy), so that nothing is sent twice.
export async function whileBusy(button, task) {
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	try {
		return await task();
	} finally {
		button.disabled = false;
		button.removeAttribute('aria-busy');
	}
}
