/* arena.h — request-scoped memory: one bounded arena per request with a
 * cleanup list, released in one call when the request ends (on every path,
 * aborts included). Allocations are 16-byte aligned and never freed singly. */
#ifndef TCARD_ARENA_H
#define TCARD_ARENA_H

#include <stddef.h>

struct arena;

/* Creates an arena that refuses to grow beyond max bytes in total. */
struct arena *arena_new(size_t max);
/* Runs the cleanups (last registered first) and frees all memory. NULL is allowed. */
void arena_free(struct arena *a);

/* Returns zeroed memory or NULL when the limit is hit or memory runs out. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Registers fn(ptr) to run at arena_free. Returns 0, or -1 (after running
 * fn(ptr) at once, so nothing leaks) when memory runs out. */
int arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

#endif
