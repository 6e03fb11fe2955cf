/* arena.c — bounded request arena with cleanup callbacks (see arena.h). */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096u
#define ARENA_ALIGN 16u

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *ptr;
};

struct arena {
	struct arena_block *blocks;
	struct arena_cleanup *cleanups;
	size_t total, max;
};

struct arena *arena_new(size_t max)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->max = max;
	return a;
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *next_block;
	struct arena_cleanup *c;

	if (a == NULL)
		return;
	/* Cleanups live in the blocks, so run them all before freeing any block. */
	for (c = a->cleanups; c != NULL; c = c->next)
		c->fn(c->ptr);
	for (b = a->blocks; b != NULL; b = next_block) {
		next_block = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_block *b = a->blocks;
	size_t rounded, block_size;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (rounded == 0)
		rounded = ARENA_ALIGN;
	if (b == NULL || b->size - b->used < rounded) {
		/* A whole block while the limit allows one, then what is left under
		 * it: the limit counts bytes, not 4 KiB blocks. */
		block_size = ARENA_BLOCK < a->max - a->total ? ARENA_BLOCK : a->max - a->total;
		if (block_size < rounded)
			block_size = rounded;
		if (block_size > a->max - a->total)
			return NULL;
		b = malloc(sizeof(*b) + block_size);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->size = block_size;
		b->next = a->blocks;
		a->blocks = b;
		a->total += block_size;
	}
	p = b->data + b->used;
	b->used += rounded;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *copy = arena_alloc(a, n + 1);

	if (copy != NULL) {
		memcpy(copy, s, n);
		copy[n] = '\0';
	}
	return copy;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	out = arena_alloc(a, (size_t)n + 1);
	if (out == NULL)
		return NULL;
	va_start(ap, fmt);
	(void)vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

int arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

	if (c == NULL) {
		fn(ptr);
		return -1;
	}
	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}
