/*
 * mem.c -- allocation wrapper with an allocation-failure test hook.
 */
#include "profile/mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong alloc_count;
static atomic_ulong fail_at;     /* 0 = never */
static atomic_int fail_sticky;
static atomic_int fail_fired;
static _Thread_local unsigned long thread_failures;

/* Count a NULL result. */
static void *
counted(void *p)
{
	if (p == NULL)
		thread_failures++;
	return p;
}

unsigned long
ff_mem_failures(void)
{
	return thread_failures;
}

/* True when this allocation must fail. Cheap when injection is off. */
static int
should_fail(void)
{
	unsigned long n, at;

	at = atomic_load_explicit(&fail_at, memory_order_relaxed);
	if (at == 0)
		return 0;
	n = atomic_fetch_add(&alloc_count, 1) + 1;
	if (n == at || (n > at && atomic_load(&fail_sticky))) {
		atomic_store(&fail_fired, 1);
		return 1;
	}
	return 0;
}

unsigned long
ff_mem_fail_at(unsigned long n, int sticky)
{
	unsigned long made = atomic_exchange(&alloc_count, 0);

	atomic_store(&fail_sticky, sticky);
	atomic_store(&fail_fired, 0);
	atomic_store(&fail_at, n);
	return made;
}

int
ff_mem_failed(void)
{
	return atomic_load(&fail_fired);
}

void *
ff_malloc(size_t n)
{
	if (should_fail())
		return counted(NULL);
	return counted(malloc(n != 0 ? n : 1));
}

void *
ff_calloc(size_t n, size_t size)
{
	if (should_fail())
		return counted(NULL);
	if (n == 0 || size == 0)
		n = size = 1;
	/* Checked here, as mem.h promises for the array forms: not every
	 * calloc returns NULL on overflow (AddressSanitizer's aborts). */
	if (n > SIZE_MAX / size)
		return counted(NULL);
	return counted(calloc(n, size));
}

void *
ff_realloc(void *p, size_t n)
{
	if (should_fail())
		return counted(NULL);
	return counted(realloc(p, n != 0 ? n : 1));
}

void *
ff_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return ff_realloc(p, n * size);
}

void
ff_free(void *p)
{
	free(p);
}

char *
ff_strndup(const char *s, size_t len)
{
	char *d;

	if (len == SIZE_MAX)
		return NULL;
	d = ff_malloc(len + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *
ff_strdup(const char *s)
{
	return ff_strndup(s, strlen(s));
}
