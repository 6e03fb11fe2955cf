/* ticker.h — a background thread that calls a function every so many
 * seconds until it is stopped; stopping wakes it at once and waits for a tick
 * in progress to finish. */
#ifndef TCARD_TICKER_H
#define TCARD_TICKER_H

#include <pthread.h>

struct ticker {
	unsigned interval_s;
	void (*tick)(void *arg);
	void *arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* on CLOCK_MONOTONIC */
	int tick_now;
	int stopping;
	int started;
};

/* Starts calling tick(arg) every interval_s seconds, the first time at once
 * when tick_now is set, else after one interval. 0, or -1 when the thread
 * cannot be made. */
int ticker_start(struct ticker *t, unsigned interval_s, int tick_now, void (*tick)(void *arg),
                 void *arg);
/* Stops the thread (no-op when it never started). */
void ticker_stop(struct ticker *t);

#endif
