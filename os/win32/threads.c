/* threads.c: the threads of a process, from its EPROCESS's ThreadListHead (the list of
 * its ETHREADs' ThreadListEntry).  Each ETHREAD gives the thread id (Cid.UniqueThread),
 * the scheduler state (its KTHREAD's State) and, from Windows 10 1607 on, the thread
 * description SetThreadDescription gave it (ThreadName).  The walk is bounded like the
 * process list's (w32_list_step): a loop or a wild pointer ends it with a warning. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "pluginlib/peb.h"
#include "pluginlib/seen.h"
#include "win32.h"

#define W32_MAX_THREADS 65536u

/* KTHREAD_STATE as ps letters: Running, Ready, Standby and DeferredReady run ("R"),
 * Waiting and GateWaitObsolete sleep ("S"), Terminated is dead ("X"), Transition (its
 * kernel stack paged out) "W", Initialized (not yet started) and the rest "". */
static const char *
w32_thread_state(uint8_t s)
{
	switch (s) {
	case 1: case 2: case 3: case 7: return "R";
	case 5: case 8: return "S";
	case 4: return "X";
	case 6: return "W";
	default: return "";
	}
}

/* One ETHREAD, read and handed on: 0, the callback's value, or MF_ERR_NOTMAPPED. */
static int
w32_thread_emit(struct w32 *w, uint64_t pid, uint64_t et, mf_thread_cb cb, void *ctx)
{
	const uint64_t *o = w->off;
	uint64_t tid, uname = 0;
	uint8_t state = 0xff;
	char *name = NULL, eb[MF_ERRBUF_SIZE];
	int r;

	if (w32_kread_ptr(w, et + o[W32_ETHREAD_TID], &tid) < 0)
		return MF_ERR_NOTMAPPED;
	w32_kread(w, et + o[W32_KTHREAD_STATE], &state, 1);
	if (w32_kread_ptr(w, et + o[W32_ETHREAD_NAME], &uname) == 0 && w32_kptr_ok(w, uname))
		peb_ustring(uname, w->is64, w32_pe_read, w, &name, eb);
	struct mf_thread t = {
		.struct_size = sizeof t,
		.pid = pid,
		.tid = tid,
		.name = name != NULL ? name : "",
		.state = w32_thread_state(state),
		.addr = et,
	};
	r = cb(ctx, &t);
	free(name);
	return r;
}

int
w32_threads(void *handle, uint64_t pid, mf_thread_cb cb, void *ctx, char *errbuf)
{
	struct w32 *w = handle;
	struct seen seen = { 0 };
	uint64_t ep, head, e;
	unsigned n;
	int r;

	if (!w->have_threads)
		return w->host->error(errbuf, MF_ERR_UNSUPPORTED, "win32: no thread offsets in %s: no threads",
		                      w->offsets_from);
	if ((r = w32_process_object(w, pid, &ep, NULL, errbuf)) < 0)
		return r;
	head = ep + w->off[W32_EPROCESS_THREADS];
	if (w32_kread_ptr(w, head, &e) < 0)
		return w->host->error(errbuf, MF_ERR_NOTMAPPED, "win32: pid %" PRIu64 ": its thread list cannot be read", pid);
	for (n = 0, r = 0; e != head; n++) {
		if ((r = w32_list_step(w, &seen, e, n, W32_MAX_THREADS, "a thread list", errbuf)) <= 0)
			break;
		if ((r = w32_thread_emit(w, pid, e - w->off[W32_ETHREAD_LINKS], cb, ctx)) == MF_ERR_NOTMAPPED) {
			w->host->log(0, "win32: pid %" PRIu64 ": the thread at 0x%" PRIx64 " cannot be read: the list ends there",
			             pid, e - w->off[W32_ETHREAD_LINKS]);
			r = 0;
			break;
		}
		if (r != 0)
			break;
		if (w32_kread_ptr(w, e, &e) < 0) {
			w->host->log(0, "win32: pid %" PRIu64 ": the thread list entry at 0x%" PRIx64 " cannot be read: the list"
			             " ends there", pid, e);
			break;
		}
	}
	seen_free(&seen);
	return r;
}
