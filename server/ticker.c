/* ticker.c — a periodic background thread (see ticker.h). */
#include "ticker.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void *ticker_thread(void *cls)
{
	struct ticker *t = cls;
	struct timespec deadline;

	if (t->tick_now)
		t->tick(t->arg);
	pthread_mutex_lock(&t->lock);
	while (!t->stopping) {
		(void)clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += t->interval_s;
		while (!t->stopping &&
		       pthread_cond_timedwait(&t->wake, &t->lock, &deadline) != ETIMEDOUT)
			;
		if (t->stopping)
			break;
		pthread_mutex_unlock(&t->lock);
		t->tick(t->arg);
		pthread_mutex_lock(&t->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

int ticker_start(struct ticker *t, unsigned interval_s, int tick_now, void (*tick)(void *arg),
                 void *arg)
{
	pthread_condattr_t attr;

	memset(t, 0, sizeof(*t));
	t->interval_s = interval_s;
	t->tick_now = tick_now;
	t->tick = tick;
	t->arg = arg;
	if (pthread_mutex_init(&t->lock, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&attr) != 0)
		goto fail_lock;
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&t->wake, &attr) != 0) {
		(void)pthread_condattr_destroy(&attr);
		goto fail_lock;
	}
	(void)pthread_condattr_destroy(&attr);
	if (pthread_create(&t->thread, NULL, ticker_thread, t) != 0)
		goto fail_cond;
	t->started = 1;
	return 0;
fail_cond:
	(void)pthread_cond_destroy(&t->wake);
fail_lock:
	(void)pthread_mutex_destroy(&t->lock);
	return -1;
}

void ticker_stop(struct ticker *t)
{
	if (!t->started)
		return;
	pthread_mutex_lock(&t->lock);
	t->stopping = 1;
	(void)pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
	(void)pthread_join(t->thread, NULL);
	(void)pthread_cond_destroy(&t->wake);
	(void)pthread_mutex_destroy(&t->lock);
	t->started = 0;
}
