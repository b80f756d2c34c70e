/*
 * arena.c -- bump allocation in a chain of blocks (see arena.h).
 */
#include "profile/arena.h"
#include "profile/mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

enum { ARENA_BLOCK = 64 * 1024 };

struct block {
	struct block *next;
	size_t size;   /* usable bytes in data[] */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct ff_arena {
	struct block *head;   /* the block being filled */
	size_t reserved;
};

ff_arena *
ff_arena_new(void)
{
	return ff_calloc(1, sizeof(ff_arena));
}

void
ff_arena_free(ff_arena *a)
{
	struct block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		ff_free(b);
	}
	ff_free(a);
}

/* A block with room for at least n bytes.  A large request gets a block
 * of its own, linked behind the current one, so the free space left in
 * the current block is not wasted. */
static struct block *
arena_grow(ff_arena *a, size_t n)
{
	size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
	struct block *b;

	if (size > SIZE_MAX - sizeof(struct block))
		return NULL;
	b = ff_malloc(sizeof(struct block) + size);
	if (b == NULL)
		return NULL;
	b->size = size;
	b->used = 0;
	a->reserved += sizeof(struct block) + size;
	if (n > ARENA_BLOCK / 4 && a->head != NULL) {
		b->next = a->head->next;
		a->head->next = b;
	} else {
		b->next = a->head;
		a->head = b;
	}
	return b;
}

void *
ff_arena_alloc(ff_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct block *b = a->head;
	size_t at;
	void *p;

	if (n > SIZE_MAX - align)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (b == NULL || b->size - b->used < n) {
		b = arena_grow(a, n);
		if (b == NULL)
			return NULL;
	}
	at = b->used;
	p = b->data + at;
	b->used = at + n;
	return p;
}

char *
ff_arena_strndup(ff_arena *a, const char *s, size_t len)
{
	struct block *b = a->head;
	char *d;

	/* Strings need no alignment: pack them tightly. */
	if (len == SIZE_MAX)
		return NULL;
	if (b == NULL || b->size - b->used < len + 1) {
		b = arena_grow(a, len + 1);
		if (b == NULL)
			return NULL;
	}
	d = (char *)b->data + b->used;
	b->used += len + 1;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

size_t
ff_arena_bytes(const ff_arena *a)
{
	return a->reserved;
}
