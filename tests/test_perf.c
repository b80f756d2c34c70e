/*
 * test_perf.c -- the perf collapser: stackcollapse-perf.pl's rules and
 * hostile input.
 */
#include "testutil.h"
#include "collapsetest.h"

#include "agent/collapse.h"
#include "profile/fold.h"
#include "profile/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collapse text[0..len) as perf with o (NULL = defaults). */
static ff_ct_result
collapse_opts(const char *text, size_t len, const ff_collapse_opts *o,
    int strict)
{
	ff_collapse_opts def;

	return ff_ct_run(ff_ct_opts(o, FF_COLLAPSE_PERF, &def), text, len,
	    "in.txt", strict, 0, NULL);
}

static ff_ct_result
collapse_flags(const char *text, unsigned flags)
{
	ff_collapse_opts o;

	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	o.flags = flags;
	return collapse_opts(text, strlen(text), &o, 0);
}

/* Expect text to collapse (with flags) to expect, with nbad malformed
 * lines. */
#define EXPECT(text, flags, expect, nbad) \
	FF_CT_EXPECT(collapse_flags(text, flags), expect, nbad)

#define EV "app 123/456 [001] 10.000000: 1 cycles: \n"

/* ---- the basics ---------------------------------------------------------- */

static void
test_basic_sample(void **state)
{
	(void)state;
	EXPECT(EV
	    "\t    7f0001 leaf+0x1a (/usr/lib/libc.so.6)\n"
	    "\t    7f0002 mid (/usr/bin/app)\n"
	    "\t    7f0003 main+0x10 (/usr/bin/app)\n"
	    "\n",
	    0, "app;main;mid;leaf 1\n", 0);
}

static void
test_merge_and_sort(void **state)
{
	(void)state;
	EXPECT(EV "\t1 b (m)\n\n" EV "\t1 a (m)\n\n" EV "\t1 b (m)\n\n"
	    "zz 1 1.0: 1 cycles: \n\t1 a (m)\n\n",
	    0, "app;a 1\napp;b 2\nzz;a 1\n", 0);
}

static void
test_no_trailing_newline(void **state)
{
	(void)state;
	/* The last sample is kept without a blank line or a newline. */
	EXPECT(EV "\t1 a (m)\n\n" EV "\t1 b (m)", 0, "app;a 1\napp;b 1\n", 0);
	EXPECT(EV "\t1 a (m)\n", 0, "app;a 1\n", 0);
}

static void
test_crlf(void **state)
{
	(void)state;
	EXPECT("app 123/456 [001] 10.0: 1 cycles: \r\n"
	    "\t1 a+0x1 (/lib/x.so)\r\n\t2 b (/lib/x.so)\r\n\r\n"
	    "app 123/456 [001] 10.0: 1 cycles: \r\n\t1 a (/lib/x.so)\r\n",
	    0, "app;a 1\napp;b;a 1\n", 0);
}

static void
test_empty_stack(void **state)
{
	(void)state;
	/* An event line with no frames still counts, on its process. */
	EXPECT(EV "\n" EV "\n", 0, "app 2\n", 0);
	EXPECT("", 0, "", 0);
	EXPECT("# only a header\n#\n\n\n", 0, "", 0);
}

static void
test_comments_inside_samples(void **state)
{
	(void)state;
	EXPECT(EV "\t1 a (m)\n# note\n\t1 b (m)\n\n", 0, "app;b;a 1\n", 0);
}

static void
test_event_line_forms(void **state)
{
	(void)state;
	/* TID only: PID is '?'. */
	EXPECT("java 25607 4794564.109216: cycles:\n\t1 a (m)\n", FF_COLLAPSE_TID,
	    "java-?/25607;a 1\n", 0);
	/* Process names with spaces. */
	EXPECT("V8 WorkerThread 24636/25607 [000] 94564.109216: cycles:\n"
	    "\t1 a (m)\n", FF_COLLAPSE_PID, "V8_WorkerThread-24636;a 1\n", 0);
	/* A TID of 0 counts as absent, as in the Perl script. */
	EXPECT("swapper 0/0 [000] 1.0: cpu-clock: \n\t1 a (m)\n",
	    FF_COLLAPSE_TID, "swapper-?/0;a 1\n", 0);
	/* ';' in a process name would split the frame: it becomes ':'. */
	EXPECT("a;b 12 1.0: cycles: \n\t1 f (m)\n", 0, "a:b;f 1\n", 0);
}

static void
test_period_is_the_count(void **state)
{
	(void)state;
	EXPECT("dd 29776 666709.771979:   10101010 cpu-clock: \n\t1 a (m)\n\n"
	    "dd 29776 666709.771979:   10101010 cpu-clock: \n\t1 a (m)\n",
	    0, "dd;a 20202020\n", 0);
	/* A period of 0 counts 1, as in the Perl script. */
	EXPECT("dd 1 1.0: 0 cpu-clock: \n\t1 a (m)\n", 0, "dd;a 1\n", 0);
}

/* ---- frames ---------------------------------------------------------------- */

static void
test_offsets(void **state)
{
	(void)state;
	EXPECT(EV "\t1 f+0x1a (m)\n\t2 g+0xABC (m)\n\t3 h+0x (m)\n"
	    "\t4 +0x10 (m)\n\n", 0, "app;h+0x;g+0xABC;f 1\n", 0);
}

static void
test_tidying(void **state)
{
	(void)state;
	/* C++ arguments, quotes, ';' inside names. */
	EXPECT(EV "\t1 ns::f(int, char const*) const (m)\n\n", 0,
	    "app;ns::f 1\n", 0);
	EXPECT(EV "\t1 ns::(anonymous namespace)::g(int) (m)\n\n", 0,
	    "app;ns::(anonymous namespace)::g 1\n", 0);
	/* A symbol starting with '(' is skipped, as in the Perl script. */
	EXPECT(EV "\t1 (anonymous namespace)::g(int) (m)\n\n", 0,
	    "app 1\n", 0);
	EXPECT(EV "\t1 RegExp:[&<>\"'] (/tmp/perf-7539.map)\n\n", 0,
	    "app;RegExp:[&<>] 1\n", 0);
	EXPECT(EV "\t1 a;b;c (m)\n\n", 0, "app;a:b:c 1\n", 0);
	/* Go methods keep their parentheses. */
	EXPECT(EV "\t1 net/http.(*Client).Do (m)\n\n", 0,
	    "app;net/http.(*Client).Do 1\n", 0);
	/* Frames with spaces. */
	EXPECT(EV "\t1 operator delete[] (/lib/libstdc++.so)\n\n", 0,
	    "app;operator delete[] 1\n", 0);
	/* A name ending in a blank and digits would read back as a count. */
	EXPECT(EV "\t1 operator new 2  (m)\n\n", 0, "app;operator new_2  1\n",
	    0);
	/* A symbol starting with '(' adds no frame. */
	EXPECT(EV "\t1 a (m)\n\t1 (deleted) (m)\n\n", 0, "app;a 1\n", 0);
}

static void
test_module_rules(void **state)
{
	(void)state;
	/* The module is the last " (...)" without a blank. */
	EXPECT(EV "\t1 f (x) (/usr/lib/libfoo.so)\n\n", 0, "app;f  1\n", 0);
	/* Two blanks after PC and no symbol: the symbol is " ". */
	EXPECT(EV "\t7f1e2215d058  (/lib/x86_64-linux-gnu/libc-2.15.so)\n\n", 0,
	    "app;  1\n", 0);
	/* Text after the module is ignored. */
	EXPECT(EV "\t1 f (m) trailing words\n\n", 0, "app;f 1\n", 0);
}

static void
test_unknown_frames(void **state)
{
	(void)state;
	EXPECT(EV "\t7f12 [unknown] (/usr/lib/libc.so.6)\n"
	    "\t0 [unknown] ([unknown])\n\n", 0,
	    "app;[unknown];[libc.so.6] 1\n", 0);
	EXPECT(EV "\t7f12 [unknown] (/usr/lib/libc.so.6)\n"
	    "\t0 [unknown] ([unknown])\n\n" EV
	    "\t7f13 [unknown] (/usr/lib/libc.so.6)\n\n", FF_COLLAPSE_ADDRS,
	    "app;[libc.so.6 <7f13>] 1\napp;[unknown <0>];[libc.so.6 <7f12>] 1\n",
	    0);
	/* Unknown frames are built at once, the others after a delay: the
	 * order of the frames is kept. */
	EXPECT(EV "\t1 a (m)\n\t2 b (m)\n\t7f [unknown] (/x/m.so)\n"
	    "\t3 c (m)\n\t4 d (m)\n\t5 e (m)\n\n", FF_COLLAPSE_ADDRS,
	    "app;e;d;c;[m.so <7f>];b;a 1\n", 0);
}

static void
test_inline_and_annotations(void **state)
{
	static const char in[] = EV
	    "\t1 inner->leaf (/usr/bin/app)\n"
	    "\tffffffff8103ce3b native_safe_halt+0xb ([kernel.kallsyms])\n"
	    "\t8c3453 tcp_sendmsg (/lib/modules/4.3.0/build/vmlinux)\n"
	    "\t7d8 ipv4_conntrack_local+0x7f8f80b8 ([nf_conntrack_ipv4])\n"
	    "\t7f72 Ljava/io/PrintStream;::print (/tmp/perf-19982.map)\n"
	    "\t7f73 jitfn (/tmp/jitted-123-45.so)\n"
	    "\t7f74 [unknown] ([unknown])\n\n";

	(void)state;
	EXPECT(in, 0, "app;[unknown];jitfn;Ljava/io/PrintStream:::print;"
	    "ipv4_conntrack_local;tcp_sendmsg;native_safe_halt;"
	    "inner;leaf_[i] 1\n", 0);
	EXPECT(in, FF_COLLAPSE_KERNEL, "app;[unknown];jitfn;"
	    "Ljava/io/PrintStream:::print;ipv4_conntrack_local_[k];"
	    "tcp_sendmsg_[k];native_safe_halt_[k];inner;leaf_[i] 1\n", 0);
	EXPECT(in, FF_COLLAPSE_JIT, "app;[unknown];jitfn_[j];"
	    "Ljava/io/PrintStream:::print_[j];ipv4_conntrack_local;tcp_sendmsg;"
	    "native_safe_halt;inner;leaf_[i] 1\n", 0);
	EXPECT(in, FF_COLLAPSE_ALL, "app;[unknown];jitfn_[j];"
	    "Ljava/io/PrintStream:::print_[j];ipv4_conntrack_local_[k];"
	    "tcp_sendmsg_[k];native_safe_halt_[k];inner;leaf_[i] 1\n", 0);
	/* Perl's split: empty parts at the end are dropped. */
	EXPECT(EV "\t1 a-> (m)\n\t1 ->b (m)\n\t1 -> (m)\n\n", 0,
	    "app;;b_[i];a 1\n", 0);
}

static void
test_java_tidying(void **state)
{
	static const char frames[] =
	    "\t1 Lorg/mozilla/javascript/MemberBox;.<init>(Ljava/lang/Object;)V"
	    " (/tmp/perf-1.map)\n\t2 LBusy;::main (/tmp/perf-1.map)\n\n";

	(void)state;
	EXPECT("java 1 1.0: cycles: \n", 0, "java 1\n", 0);
	{
		char in[512];

		snprintf(in, sizeof in, "java 1 1.0: cycles: \n%s", frames);
		EXPECT(in, 0, "java;LBusy:::main;"
		    "org/mozilla/javascript/MemberBox:.<init> 1\n", 0);
		/* Java tidying follows the process name, not --pid. */
		EXPECT(in, FF_COLLAPSE_PID, "java-?;LBusy:::main;"
		    "org/mozilla/javascript/MemberBox:.<init> 1\n", 0);
		snprintf(in, sizeof in, "app 1 1.0: cycles: \n%s", frames);
		EXPECT(in, 0, "app;LBusy:::main;"
		    "Lorg/mozilla/javascript/MemberBox:.<init> 1\n", 0);
	}
}

static void
test_kernel_only_stacks(void **state)
{
	(void)state;
	EXPECT("swapper     0 [002] 30143.481591: cpu-clock: \n"
	    "\tffffffff8103ce3b native_safe_halt ([kernel.kallsyms])\n"
	    "\tffffffff8101c6a3 default_idle ([kernel.kallsyms])\n"
	    "\tffffffff81aebbfe start_kernel ([kernel.kallsyms].init.text)\n\n",
	    FF_COLLAPSE_KERNEL | FF_COLLAPSE_PID,
	    "swapper-?;start_kernel_[k];default_idle_[k];native_safe_halt_[k]"
	    " 1\n", 0);
}

static void
test_unindented_frames(void **state)
{
	(void)state;
	/* Old perf versions print frames without indentation. */
	EXPECT("java 19983 cycles:\nffffffff8103d0ca native_write_msr_safe "
	    "([kernel.kallsyms])\n7f7241fbe6d8 arrayOopDesc::base(BasicType) "
	    "const (/opt/libjvm.so)\n\n", 0,
	    "java;arrayOopDesc::base;native_write_msr_safe 1\n", 0);
}

/* ---- events ------------------------------------------------------------------ */

static const char two_events[] =
    "p 1 [0] 1.0:     100 instructions: \n\t1 a (m)\n\n"
    "p 1 [0] 1.1:     300 cycles: \n\t1 a (m)\n\n"
    "p 1 [0] 1.2:     300 cycles: \n\t1 b (m)\n\n"
    "p 1 [0] 1.3:      50 instructions: \n\t1 b (m)\n\n"
    "p 1 [0] 1.4:      70 instructions: \n\t1 b (m)\n\n";

static void
test_first_event_only(void **state)
{
	ff_ct_result r = collapse_flags(two_events, 0);

	(void)state;
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;a 100\np;b 120\n");
	assert_string_equal(r.st.event, "instructions");
	assert_int_equal(r.st.skipped_event, 2);
	assert_string_equal(r.st.others, "cycles");
	assert_int_equal(r.st.samples, 3);
	ff_ct_free(&r);
}

static void
test_event_filter(void **state)
{
	ff_collapse_opts o;
	ff_ct_result r;

	(void)state;
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	strcpy(o.event, "cycles");
	r = collapse_opts(two_events, sizeof two_events - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;a 300\np;b 300\n");
	assert_int_equal(r.st.skipped_event, 3);
	ff_ct_free(&r);
	strcpy(o.event, "nope");
	r = collapse_opts(two_events, sizeof two_events - 1, &o, 0);
	assert_string_equal(r.out, "");
	assert_string_equal(r.st.others, "instructions,cycles");
	ff_ct_free(&r);
}

static void
test_events_columns(void **state)
{
	ff_collapse_opts o;
	ff_ct_result r;
	static const char in[] = "p 1 cycles:\n\t1 c (m)\n\n";

	(void)state;
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	assert_int_equal(ff_collapse_opts_events(&o, "cycles,instructions",
	    NULL), FF_OK);
	r = collapse_opts(two_events, sizeof two_events - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;a 300 100\np;b 300 120\n");
	ff_ct_free(&r);
	/* Samples without an event name cannot be placed: counted. */
	r = collapse_opts(in, sizeof in - 1, &o, 0);
	assert_string_equal(r.out, "");
	assert_int_equal(r.st.skipped_noevent, 1);
	ff_ct_free(&r);
	/* Samples without a period count the column's period option. */
	assert_int_equal(ff_collapse_opts_periods(&o, "1000,2000", NULL),
	    FF_OK);
	{
		static const char np[] = "p 1 1.0: cycles: \n\t1 a (m)\n\n"
		    "p 1 1.0: instructions: \n\t1 a (m)\n\n";

		r = collapse_opts(np, sizeof np - 1, &o, 0);
		assert_string_equal(r.out, "p;a 1000 2000\n");
		ff_ct_free(&r);
	}
}

/* ---- hostile input --------------------------------------------------------- */

static void
test_counts_past_2_63(void **state)
{
	(void)state;
	/* A period past 2^63-1 is malformed; the sample is skipped. */
	EXPECT("p 1 1.0: 9223372036854775808 cycles: \n\t1 a (m)\n\n"
	    "p 1 1.0: 5 cycles: \n\t1 b (m)\n\n", 0, "p;b 5\n", 1);
	/* Sums that would pass 2^63-1 skip the sample, never wrap. */
	EXPECT("p 1 1.0: 9223372036854775807 cycles: \n\t1 a (m)\n\n"
	    "p 1 1.0: 1 cycles: \n\t1 a (m)\n\n"
	    "p 1 1.0: 1 cycles: \n\t1 b (m)\n\n", 0,
	    "p;a 9223372036854775807\n", 2);
}

static void
test_period_option_overflow(void **state)
{
	ff_collapse_opts o;
	ff_ct_result r;
	static const char in[] = "p 1 1.0: cycles: \n\t1 a (m)\n\n"
	    "p 1 1.0: cycles: \n\t1 a (m)\n\n";

	(void)state;
	ff_collapse_opts_init(&o);
	o.format = FF_COLLAPSE_PERF;
	o.periods[0] = (uint64_t)1 << 62;
	r = collapse_opts(in, sizeof in - 1, &o, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;a 4611686018427387904\n");
	assert_int_equal(r.bad, 1);
	ff_ct_free(&r);
}

/* A buffer of n bytes of text: a sample whose frame symbol is huge. */
static char *
huge_symbol(size_t n, const char *pre, const char *post, size_t *len)
{
	size_t pl = strlen(pre), ql = strlen(post);
	char *b = malloc(pl + n + ql + 1);

	memcpy(b, pre, pl);
	memset(b + pl, 'x', n);
	memcpy(b + pl + n, post, ql + 1);
	*len = pl + n + ql;
	return b;
}

static void
test_megabyte_lines(void **state)
{
	ff_ct_result r;
	size_t len;
	char *b;

	(void)state;
	/* A 1 MiB frame name passes FF_FRAME_MAX: the sample is skipped. */
	b = huge_symbol(1 << 20, "p 1 1.0: cycles: \n\t1 f",
	    " (m)\n\np 1 1.0: cycles: \n\t1 g (m)\n\n", &len);
	r = collapse_opts(b, len, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;g 1\n");
	assert_int_equal(r.bad, 1);
	assert_non_null(strstr(r.diag, "in.txt:2: frame name longer"));
	ff_ct_free(&r);
	free(b);
	/* A 1 MiB argument list tidies away: the frame is fine. */
	b = huge_symbol(1 << 20, "p 1 1.0: cycles: \n\t1 f(", ") (m)\n", &len);
	r = collapse_opts(b, len, NULL, 0);
	assert_string_equal(r.out, "p;f 1\n");
	assert_int_equal(r.bad, 0);
	ff_ct_free(&r);
	free(b);
	/* A line past FF_LINE_MAX is skipped and reported. */
	b = huge_symbol(FF_LINE_MAX + 10, "p 1 1.0: cycles: \n\t1 a (m)\n\t",
	    "\n\t1 b (m)\n", &len);
	r = collapse_opts(b, len, NULL, 0);
	assert_string_equal(r.out, "p;b;a 1\n");
	assert_int_equal(r.bad, 1);
	assert_non_null(strstr(r.diag, "in.txt:3: line longer than"));
	ff_ct_free(&r);
	free(b);
}

static void
test_nul_bytes(void **state)
{
	static const char early[] = "p 1 1.0: cycles: \n\t1 a\0b (m)\n\n";
	static const char late[] = "p 1 1.0: cycles: \n\t1 a\0b (m)\n"
	    "\t1 c (m)\n\np 1 1.0: cycles: \n\t1 a\0b (m)\n\n"
	    "p\0 1 1.0: cycles: \n\n";
	size_t pad = 70 << 10, len;
	ff_ct_result r;
	char *b;

	(void)state;
	/* At the start, NUL bytes mean binary input: refused. */
	r = collapse_opts(early, sizeof early - 1, NULL, 0);
	assert_int_equal(r.rc, FF_ERR_PARSE);
	assert_non_null(strstr(r.out, "binary"));
	ff_ct_free(&r);
	/* Later, a line with a NUL byte is malformed and skipped (a cached
	 * frame reports each time it is seen). */
	b = malloc(pad + sizeof late);
	memset(b, '#', pad);
	b[pad - 1] = '\n';
	memcpy(b + pad, late, sizeof late - 1);
	len = pad + sizeof late - 1;
	r = collapse_opts(b, len, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p 1\np;c 1\n");
	assert_int_equal(r.bad, 3);
	assert_non_null(strstr(r.diag, "in.txt:3: NUL byte"));
	ff_ct_free(&r);
	free(b);
}

static void
test_stack_too_deep(void **state)
{
	size_t n = FF_DEPTH_MAX + 1, i, len = 0;
	char *b = malloc(n * 16 + 100);
	ff_ct_result r;

	(void)state;
	len += (size_t)sprintf(b, "p 1 1.0: cycles: \n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(b + len, "\t1 f%zu (m)\n", i % 10);
	len += (size_t)sprintf(b + len, "\np 1 1.0: cycles: \n\t1 ok (m)\n");
	r = collapse_opts(b, len, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;ok 1\n");
	assert_int_equal(r.bad, 1);
	assert_non_null(strstr(r.diag, "in.txt:1: stack deeper"));
	ff_ct_free(&r);
	free(b);
}

static void
test_malformed_lines(void **state)
{
	static const char in[] = "\t1 early (m)\n"
	    "p 1 1.0: cycles: \n\t1 a (m)\n\tgarbage without module\n\n";
	ff_ct_result r;

	(void)state;
	r = collapse_opts(in, sizeof in - 1, NULL, 0);
	assert_int_equal(r.rc, FF_OK);
	assert_string_equal(r.out, "p;a 1\n");
	assert_int_equal(r.bad, 2);
	assert_non_null(strstr(r.diag, "test: in.txt:1: frame line outside"));
	assert_null(strstr(r.diag, "in.txt:4"));   /* once per kind */
	ff_ct_free(&r);
	/* Strict: the first one is an error naming file and line. */
	r = collapse_opts(in, sizeof in - 1, NULL, 1);
	assert_int_equal(r.rc, FF_ERR_PARSE);
	assert_non_null(strstr(r.out, "in.txt:1:"));
	ff_ct_free(&r);
}

static void
test_event_line_ends_sample(void **state)
{
	(void)state;
	/* No blank line between samples: each still counts once. */
	EXPECT("p 1 1.0: cycles: \n\t1 a (m)\nq 2 1.0: cycles: \n\t1 b (m)\n",
	    0, "p;a 1\nq;b 1\n", 0);
}

/* Every allocation failure ends in FF_ERR_NOMEM, without leaks. */
static void
test_out_of_memory(void **state)
{
	static const char in[] = EV "\t1 a->b (m)\n\t1 c (m)\n\n"
	    EV "\t1 d (m)\n\t1 c (m)\n\n";

	(void)state;
	/* Every allocation of the run, failed in turn. */
	assert_true(ff_ct_nomem_sweep(FF_COLLAPSE_PERF, in,
	    sizeof in - 1) > 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_sample),
		cmocka_unit_test(test_merge_and_sort),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_stack),
		cmocka_unit_test(test_comments_inside_samples),
		cmocka_unit_test(test_event_line_forms),
		cmocka_unit_test(test_period_is_the_count),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_tidying),
		cmocka_unit_test(test_module_rules),
		cmocka_unit_test(test_unknown_frames),
		cmocka_unit_test(test_inline_and_annotations),
		cmocka_unit_test(test_java_tidying),
		cmocka_unit_test(test_kernel_only_stacks),
		cmocka_unit_test(test_unindented_frames),
		cmocka_unit_test(test_first_event_only),
		cmocka_unit_test(test_event_filter),
		cmocka_unit_test(test_events_columns),
		cmocka_unit_test(test_counts_past_2_63),
		cmocka_unit_test(test_period_option_overflow),
		cmocka_unit_test(test_megabyte_lines),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_stack_too_deep),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_event_line_ends_sample),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
