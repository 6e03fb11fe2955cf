// i18n.js — Chinese first, English on request (remembered in localStorage).
// Each page module brings its own `strings = {zh: {…}, en: {…}}`, merged here
// with addStrings(), so no page edits a shared dictionary. Dates and numbers go
// through Intl; class hours stay the text the API sends ("60.00"): never a float.

const STORAGE_KEY = 'tcard.lang';
const TIME_ZONE = 'Asia/Shanghai';

const dictionaries = {
	zh: {
		'app.title': '行政执法人员培训登记卡',
		'app.brand': '培训登记卡',
		'common.loading': '加载中…',
		'common.empty': '暂无数据',
		'common.error': '出错了',
		'common.retry': '重试',
		'common.hours': '学时',
		'common.next': '下一页',
		'common.first': '第一页',
		'common.year': '年度',
		'common.submit': '提交',
		'common.network': '无法连接服务器，请稍后重试。',
		'nav.menu': '主导航',
		'nav.home': '首页',
		'nav.me': '我的培训卡',
		'nav.public': '公示与验证',
		'nav.login': '登录',
		'nav.logout': '退出登录',
		'nav.language': 'English',
		'nav.language_label': 'Switch to English',
		'nav.signed_in_as': '当前用户',
		'role.admin': '系统管理员',
		'role.hr': '人事干部',
		'role.auditor': '审核监督',
		'role.officer': '执法人员',
		'denied.title': '无权访问',
		'denied.text': '您的账号没有访问此页面的权限。',
		'notfound.title': '页面不存在',
		'notfound.text': '请从导航中选择页面。',
	},
	en: {
		'app.title': 'Law-enforcement training registration card',
		'app.brand': 'Training card',
		'common.loading': 'Loading…',
		'common.empty': 'Nothing here yet',
		'common.error': 'Something went wrong',
		'common.retry': 'Retry',
		'common.hours': 'hours',
		'common.next': 'Next page',
		'common.first': 'First page',
		'common.year': 'Year',
		'common.submit': 'Submit',
		'common.network': 'The server cannot be reached; try again later.',
		'nav.menu': 'Main navigation',
		'nav.home': 'Home',
		'nav.me': 'My card',
		'nav.public': 'Notices and verification',
		'nav.login': 'Log in',
		'nav.logout': 'Log out',
		'nav.language': '中文',
		'nav.language_label': '切换到中文',
		'nav.signed_in_as': 'Signed in as',
		'role.admin': 'Administrator',
		'role.hr': 'HR',
		'role.auditor': 'Auditor',
		'role.officer': 'Officer',
		'denied.title': 'Not allowed',
		'denied.text': 'Your account may not open this page.',
		'notfound.title': 'No such page',
		'notfound.text': 'Choose a page from the navigation.',
	},
};

let lang = readStoredLang();

function readStoredLang() {
	try {
		return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
	} catch {
		return 'zh';
	}
}

export function getLang() {
	return lang;
}

export function setLang(next) {
	lang = next === 'en' ? 'en' : 'zh';
	try {
		localStorage.setItem(STORAGE_KEY, lang);
	} catch {
		// Private mode: the choice lasts for this page only.
	}
	document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
	document.title = t('app.title');
}

// Merges a page's strings; a later key wins, so pages should prefix theirs.
export function addStrings(strings) {
	for (const code of ['zh', 'en'])
		Object.assign(dictionaries[code], strings[code] || {});
}

// The text for key in the current language (Chinese, then the key itself, as
// fall-backs), with {name} placeholders filled from params.
export function t(key, params) {
	const text = dictionaries[lang][key] ?? dictionaries.zh[key] ?? key;
	if (!params)
		return text;
	return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function locale() {
	return lang === 'en' ? 'en-GB' : 'zh-CN';
}

// A date-only "YYYY-MM-DD" is a day in China, not midnight UTC.
function toDate(value) {
	if (value instanceof Date)
		return value;
	if (/^\d{4}-\d{2}-\d{2}$/.test(value))
		return new Date(`${value}T00:00:00+08:00`);
	return new Date(value);
}

// Today in China as YYYY-MM-DD, and its year: what a training year, an
// expiry day and a default year picker go by, whatever the browser's zone.
export function chinaToday() {
	const parts = isoParts(new Date(), false);
	return `${parts.year}-${parts.month}-${parts.day}`;
}

export function currentYear() {
	return Number(isoParts(new Date(), false).year);
}

// The year of ?year= (2000–2099), or this year.
export function yearParam(params) {
	const requested = Number(params.year);
	return Number.isInteger(requested) && requested >= 2000 && requested <= 2099 ? requested : currentYear();
}

function isoParts(date, withTime) {
	const options = { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' };
	if (withTime)
		Object.assign(options, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
	const parts = {};
	for (const part of new Intl.DateTimeFormat('en-CA', options).formatToParts(date))
		parts[part.type] = part.value;
	return parts;
}

// 2026年11月23日 in Chinese, 2026-11-23 in English; '' for nothing.
export function formatDate(value) {
	if (value === null || value === undefined || value === '')
		return '';
	const date = toDate(value);
	if (Number.isNaN(date.getTime()))
		return String(value);
	if (lang === 'zh')
		return new Intl.DateTimeFormat('zh-CN', { timeZone: TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' }).format(date);
	const p = isoParts(date, false);
	return `${p.year}-${p.month}-${p.day}`;
}

// 2026年11月23日 09:00 / 2026-11-23 09:00, China time.
export function formatDateTime(value) {
	if (!value)
		return '';
	const date = toDate(value);
	if (Number.isNaN(date.getTime()))
		return String(value);
	const p = isoParts(date, true);
	return `${formatDate(date)} ${p.hour}:${p.minute}`;
}

export function formatNumber(value) {
	return new Intl.NumberFormat(locale()).format(value);
}

// Class hours exactly as the API wrote them, with the unit.
export function formatHours(text) {
	return `${text ?? '0'} ${t('common.hours')}`;
}

setLang(lang);
