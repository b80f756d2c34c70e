/*
 * intern.c -- frame name interning (see intern.h).
 *
 * Slots hold (hash tag << 32 | id + 1); 0 is an empty slot.  Keeping 32
 * bits of the hash in the slot means a probe touches a name only when the
 * tags agree, which is almost always a hit.
 */
#include "profile/intern.h"
#include "profile/arena.h"
#include "profile/hash.h"
#include "profile/limits.h"
#include "profile/mem.h"

#include <assert.h>
#include <string.h>

struct name {
	const char *s;
	uint32_t len;
};

struct ff_intern {
	ff_arena *arena;    /* the bytes of every name */
	struct name *names; /* by id */
	uint32_t count;
	uint32_t cap;       /* capacity of names[] */
	uint64_t *slots;    /* open-addressing table */
	uint32_t mask;      /* slots has mask + 1 entries, a power of two */
};

enum { INITIAL_SLOTS = 1024 };

ff_intern *
ff_intern_new(void)
{
	ff_intern *t = ff_calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->arena = ff_arena_new();
	t->slots = ff_calloc(INITIAL_SLOTS, sizeof *t->slots);
	if (t->arena == NULL || t->slots == NULL) {
		ff_intern_free(t);
		return NULL;
	}
	t->mask = INITIAL_SLOTS - 1;
	return t;
}

void
ff_intern_free(ff_intern *t)
{
	if (t == NULL)
		return;
	ff_arena_free(t->arena);
	ff_free(t->names);
	ff_free(t->slots);
	ff_free(t);
}

static uint64_t
slot_make(uint64_t hash, uint32_t id)
{
	return (hash >> 32) << 32 | (uint64_t)(id + 1);
}

/* Double the slot array and re-insert every id. */
static ff_rc
intern_rehash(ff_intern *t)
{
	uint32_t newmask = t->mask * 2 + 1;
	uint64_t *slots = ff_calloc((size_t)newmask + 1, sizeof *slots);
	uint32_t id, i;

	if (slots == NULL)
		return FF_ERR_NOMEM;
	for (id = 0; id < t->count; id++) {
		uint64_t h = ff_hash64(t->names[id].s, t->names[id].len);

		for (i = (uint32_t)h & newmask; slots[i] != 0;
		    i = (i + 1) & newmask)
			;
		slots[i] = slot_make(h, id);
	}
	ff_free(t->slots);
	t->slots = slots;
	t->mask = newmask;
	return FF_OK;
}

/* Make room for one more name, keeping the table at most half full. */
static ff_rc
intern_reserve(ff_intern *t)
{
	if (t->count >= FF_IDS_MAX)
		return FF_ERR_LIMIT;
	if (t->count == t->cap) {
		uint32_t cap = t->cap != 0 ? t->cap * 2 : 256;
		struct name *names = ff_reallocarray(t->names, cap,
		    sizeof *names);

		if (names == NULL)
			return FF_ERR_NOMEM;
		t->names = names;
		t->cap = cap;
	}
	if ((uint64_t)(t->count + 1) * 2 > (uint64_t)t->mask + 1)
		return intern_rehash(t);
	return FF_OK;
}

/* The slot index holding s, or the empty slot where it would go. */
static uint32_t
intern_probe(const ff_intern *t, const char *s, size_t len, uint64_t hash)
{
	uint64_t tag = hash >> 32;
	uint32_t i;

	for (i = (uint32_t)hash & t->mask; t->slots[i] != 0;
	    i = (i + 1) & t->mask) {
		uint64_t slot = t->slots[i];
		const struct name *n;

		if (slot >> 32 != tag)
			continue;
		n = &t->names[(uint32_t)slot - 1];
		if (n->len == len && memcmp(n->s, s, len) == 0)
			break;
	}
	return i;
}

ff_rc
ff_intern_put_hashed(ff_intern *t, const char *s, size_t len, uint64_t hash,
    uint32_t *id)
{
	uint32_t i = intern_probe(t, s, len, hash);
	const uint64_t *before = t->slots;
	ff_rc rc;
	char *copy;

	if (t->slots[i] != 0) {
		*id = (uint32_t)t->slots[i] - 1;
		return FF_OK;
	}
	if (len > FF_FRAME_MAX)
		return FF_ERR_LIMIT;
	if ((rc = intern_reserve(t)) != FF_OK)
		return rc;
	if (t->slots != before) /* rehashed: the empty slot moved */
		i = intern_probe(t, s, len, hash);
	copy = ff_arena_strndup(t->arena, s, len);
	if (copy == NULL)
		return FF_ERR_NOMEM;
	t->names[t->count].s = copy;
	t->names[t->count].len = (uint32_t)len;
	t->slots[i] = slot_make(hash, t->count);
	*id = t->count++;
	return FF_OK;
}

ff_rc
ff_intern_put(ff_intern *t, const char *s, size_t len, uint32_t *id)
{
	return ff_intern_put_hashed(t, s, len, ff_hash64(s, len), id);
}

int
ff_intern_find(const ff_intern *t, const char *s, size_t len, uint32_t *id)
{
	uint32_t i = intern_probe(t, s, len, ff_hash64(s, len));

	if (t->slots[i] == 0)
		return 0;
	*id = (uint32_t)t->slots[i] - 1;
	return 1;
}

const char *
ff_intern_str(const ff_intern *t, uint32_t id, size_t *len)
{
	assert(id < t->count);
	if (len != NULL)
		*len = t->names[id].len;
	return t->names[id].s;
}

uint32_t
ff_intern_count(const ff_intern *t)
{
	return t->count;
}

size_t
ff_intern_bytes(const ff_intern *t)
{
	return sizeof *t + ff_arena_bytes(t->arena) +
	    (size_t)t->cap * sizeof *t->names +
	    ((size_t)t->mask + 1) * sizeof *t->slots;
}

#ifndef NDEBUG
void
ff_intern_check(const ff_intern *t)
{
	uint32_t id, used = 0, i;

	for (i = 0; i <= t->mask; i++)
		used += t->slots[i] != 0;
	assert(used == t->count);
	assert((uint64_t)t->count * 2 <= (uint64_t)t->mask + 1);
	for (id = 0; id < t->count; id++) {
		uint32_t found;

		assert(ff_intern_find(t, t->names[id].s, t->names[id].len,
		    &found));
		assert(found == id);
	}
}
#endif
