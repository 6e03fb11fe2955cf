/* timestamp.c — RFC 3339 times (see timestamp.h). */
#include "timestamp.h"

#include <string.h>

static int timestamp_digits(const char *s, int n, int *out)
{
	int i, value = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	*out = value;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t timestamp_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int timestamp_parse(const char *s, int64_t *unix_seconds)
{
	static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year, month, day, hour, minute, second, off_hour = 0, off_minute = 0, sign = 0;
	const char *p;

	if (strlen(s) < 20 || timestamp_digits(s, 4, &year) != 0 || s[4] != '-' ||
	    timestamp_digits(s + 5, 2, &month) != 0 || s[7] != '-' ||
	    timestamp_digits(s + 8, 2, &day) != 0 || (s[10] != 'T' && s[10] != 't') ||
	    timestamp_digits(s + 11, 2, &hour) != 0 || s[13] != ':' ||
	    timestamp_digits(s + 14, 2, &minute) != 0 || s[16] != ':' ||
	    timestamp_digits(s + 17, 2, &second) != 0)
		return -1;
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
		return -1;
	if (day > month_days[month - 1] +
	                  (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))))
		return -1;
	p = s + 19;
	if (*p == '.') {
		size_t n = strspn(p + 1, "0123456789");

		if (n == 0 || n > 9)
			return -1;
		p += 1 + n;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		sign = 1;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
	           timestamp_digits(p + 1, 2, &off_hour) == 0 && p[3] == ':' &&
	           timestamp_digits(p + 4, 2, &off_minute) == 0 && off_hour <= 23 &&
	           off_minute <= 59) {
		sign = *p == '+' ? 1 : -1;
	} else {
		return -1;
	}
	*unix_seconds = timestamp_days_from_civil(year, month, day) * 86400 + hour * 3600 +
	                minute * 60 + second - sign * (off_hour * 3600 + off_minute * 60);
	return 0;
}
