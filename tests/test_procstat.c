/*
 * test_procstat.c -- the procstat -kk collapser: columns, words,
 * snapshots, options and hostile input.
 */
#include "testutil.h"
#include "collapsetest.h"

#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ff_ct_result
collapse_opts(const char *text, size_t len, const ff_collapse_opts *o)
{
	ff_collapse_opts def;

	return ff_ct_run(ff_ct_opts(o, FF_COLLAPSE_PROCSTAT, &def), text, len,
	    "k.txt", 0, 0, NULL);
}

static ff_ct_result
collapse_flags(const char *text, unsigned flags, uint64_t interval)
{
	ff_collapse_opts o;

	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PROCSTAT;
	o.flags = flags;
	o.interval_ms = interval;
	return collapse_opts(text, strlen(text), &o);
}

#define EXPECT(text, flags, interval, expect, nbad) \
	FF_CT_EXPECT(collapse_flags(text, flags, interval), expect, nbad)

/* Two snapshots as procstat -kk -a prints them. */
static const char snaps[] =
    "  PID    TID COMM                TDNAME              KSTACK                       \n"
    "    0 100000 kernel              swapper             mi_switch+0x174 sched_switch+0x2a4 sleepq_timedwait+0x2f _sleep+0x1d1 \n"
    "   12 100041 intr                swi4: clock (0)     mi_switch+0x174 ithread_loop+0x2b3 fork_exit+0x7e fork_trampoline+0xe \n"
    "  801 100112 nginx: worker p     -                   <running>                    \n"
    "\n"
    "  PID    TID COMM                TDNAME              KSTACK                       \n"
    "    0 100000 kernel              swapper             mi_switch+0x174 sched_switch+0x2a4 sleepq_timedwait+0x2f _sleep+0x1d1 \n"
    "   12 100041 intr                swi4: clock (0)     mi_switch+0x174 ithread_loop+0x2b3 fork_exit+0x7e fork_trampoline+0xe \n"
    "  801 100112 nginx: worker p     -                   mi_switch+0x1 kqueue_scan+0x2 \n";

static void
test_snapshots(void **state)
{
	(void)state;
	EXPECT(snaps, 0, 0,
	    "intr;fork_trampoline;fork_exit;ithread_loop;mi_switch 2\n"
	    "kernel;_sleep;sleepq_timedwait;sched_switch;mi_switch 2\n"
	    "nginx:_worker_p;<running> 1\n"
	    "nginx:_worker_p;kqueue_scan;mi_switch 1\n", 0);
}

static void
test_options(void **state)
{
	(void)state;
	EXPECT(snaps, FF_COLLAPSE_PID, 100,
	    "intr-12;fork_trampoline;fork_exit;ithread_loop;mi_switch 200\n"
	    "kernel-0;_sleep;sleepq_timedwait;sched_switch;mi_switch 200\n"
	    "nginx:_worker_p-801;<running> 100\n"
	    "nginx:_worker_p-801;kqueue_scan;mi_switch 100\n", 0);
	EXPECT("  1 100001 init  - mi_switch+0x1\n", FF_COLLAPSE_TID, 0,
	    "init-1/100001;mi_switch 1\n", 0);
}

static void
test_word_layout(void **state)
{
	(void)state;
	/* Without procstat's columns: COMM is the third word, the stack
	 * the trailing func+0xoff words; a TDNAME with blanks is fine. */
	EXPECT("1 100002 sh main thread x mi_switch+0x1 _sleep+0x2\r\n"
	    "2 100003 idle\n", 0, 0, "idle 1\nsh;_sleep;mi_switch 1\n", 0);
	/* Frames keep ';'-free names and uppercase offsets go too. */
	EXPECT("1 2 a;b t f;g+0xAB\n", 0, 0, "a:b;f:g 1\n", 0);
}

static void
test_malformed(void **state)
{
	static const char in[] = "garbage line\nx 100 y z+0x1\n"
	    "1 100 ok f+0x1\n";
	ff_ct_result r = collapse_opts(in, sizeof in - 1, NULL);

	(void)state;
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "ok;f 1\n");
	assert_int_equal(r.bad, 2);
	ff_ct_free(&r);
}

static void
test_hostile(void **state)
{
	static const char nul[] = "1 100 ok f+0x1\0\n";
	ff_ct_result r = collapse_opts(nul, sizeof nul - 1, NULL);
	size_t n = FF_DEPTH_MAX + 2, i, len;
	char *b = malloc(n * 8 + 64);

	(void)state;
	assert_int_equal(r.rc, FF_ERR_PARSE);
	ff_ct_free(&r);
	/* Deeper than FF_DEPTH_MAX: skipped and reported. */
	len = (size_t)sprintf(b, "1 100 deep");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(b + len, " f%zu+0x1", i % 7);
	len += (size_t)sprintf(b + len, "\n1 100 ok g+0x1\n");
	r = collapse_opts(b, len, NULL);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "ok;g 1\n");
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
	free(b);
}

static void
test_out_of_memory(void **state)
{
	(void)state;
	/* Every allocation of the run, failed in turn. */
	assert_true(ff_ct_nomem_sweep(FF_COLLAPSE_PROCSTAT, snaps,
	    sizeof snaps - 1) > 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_word_layout),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
