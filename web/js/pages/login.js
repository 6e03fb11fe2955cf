// login.js — log in, log out, and the one-time password change that a new
// account must make before anything else (README: a one-time password must be
// changed at the first login; until then other endpoints answer 403).
import { clearProblem, field, h, showProblem } from '../ui.js';

export const strings = {
	zh: {
		'login.title': '登录',
		'login.username': '用户名',
		'login.password': '密码',
		'login.submit': '登录',
		'login.public': '查看证件注销公示、验证执法证二维码',
		'login.signed_in': '您已登录为 {name}。',
		'login.continue': '进入系统',
		'password.title': '修改初始密码',
		'password.intro': '这是一次性密码，请先设置新密码（至少 12 个字符）。',
		'password.voluntary': '修改密码（至少 12 个字符）。',
		'password.current': '当前密码',
		'password.new': '新密码',
		'password.repeat': '再次输入新密码',
		'password.mismatch': '两次输入的新密码不一致',
		'password.submit': '保存新密码',
		'password.done': '密码已修改。',
	},
	en: {
		'login.title': 'Log in',
		'login.username': 'User name',
		'login.password': 'Password',
		'login.submit': 'Log in',
		'login.public': 'Published cancellations and certificate verification',
		'login.signed_in': 'You are logged in as {name}.',
		'login.continue': 'Continue',
		'password.title': 'Change your one-time password',
		'password.intro': 'This is a one-time password: choose a new one (12 characters or more) first.',
		'password.voluntary': 'Change your password (12 characters or more).',
		'password.current': 'Current password',
		'password.new': 'New password',
		'password.repeat': 'New password again',
		'password.mismatch': 'The two new passwords differ',
		'password.submit': 'Save the new password',
		'password.done': 'Your password was changed.',
	},
};

function busy(form, on) {
	for (const control of form.querySelectorAll('button, input'))
		control.disabled = on;
}

function renderLogin(root, ctx) {
	const { t } = ctx;
	if (ctx.user) {
		root.append(h('section', { class: 'panel narrow' },
			h('h1', {}, t('login.title')),
			h('p', {}, t('login.signed_in', { name: ctx.user.display_name || ctx.user.username })),
			h('p', { class: 'actions' },
				h('a', { class: 'button', href: `#/${ctx.session.home()}` }, t('login.continue')),
				h('button', { type: 'button', class: 'secondary', onclick: () => ctx.session.logout() }, t('nav.logout')))));
		return;
	}
	const form = h('form', { class: 'form', novalidate: true, 'data-form': 'login' },
		field({ label: t('login.username'), name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
		field({ label: t('login.password'), name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('login.submit'))));
	const panel = h('section', { class: 'panel narrow' }, h('h1', {}, t('login.title')), form,
		h('p', { class: 'aside' }, h('a', { href: '#/public', 'data-link': 'public' }, t('login.public'))));
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		clearProblem(panel, form);
		busy(form, true);
		try {
			const data = await ctx.api.post('/api/v1/login', {
				username: form.elements.username.value.trim(),
				password: form.elements.password.value,
			});
			ctx.session.set(data);
			if (data.must_change_password)
				ctx.navigate('password');
			else
				ctx.navigate(ctx.params.next || ctx.session.home());
		} catch (error) {
			busy(form, false);
			showProblem(panel, error, form);
			form.elements.password.select();
		}
	});
	root.append(panel);
	form.elements.username.focus();
}

function renderPassword(root, ctx) {
	const { t } = ctx;
	const forced = Boolean(ctx.user && ctx.user.must_change_password);
	const form = h('form', { class: 'form', novalidate: true, 'data-form': 'password' },
		field({ label: t('password.current'), name: 'current_password', type: 'password', autocomplete: 'current-password', required: true }),
		field({ label: t('password.new'), name: 'new_password', type: 'password', autocomplete: 'new-password', minlength: 12, required: true }),
		field({ label: t('password.repeat'), name: 'repeat_password', type: 'password', autocomplete: 'new-password', minlength: 12, required: true }),
		h('p', { class: 'actions' }, h('button', { type: 'submit' }, t('password.submit'))));
	const panel = h('section', { class: 'panel narrow' },
		h('h1', {}, t('password.title')),
		h('p', {}, forced ? t('password.intro') : t('password.voluntary')),
		form);
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		clearProblem(panel, form);
		const next = form.elements.new_password.value;
		if (next !== form.elements.repeat_password.value) {
			showProblem(panel, { title: t('password.mismatch'), errors: [{ field: 'repeat_password', message: t('password.mismatch') }] }, form);
			return;
		}
		busy(form, true);
		try {
			await ctx.api.post('/api/v1/session/password', {
				current_password: form.elements.current_password.value,
				new_password: next,
			});
			ctx.session.set(await ctx.api.get('/api/v1/session'));
			ctx.navigate(ctx.session.home());
		} catch (error) {
			busy(form, false);
			showProblem(panel, error, form);
		}
	});
	root.append(panel);
}

export async function render(root, ctx) {
	if (ctx.params.mode === 'password')
		renderPassword(root, ctx);
	else
		renderLogin(root, ctx);
}
