/* mf-memtarget: a process with known memory, for the mf-read and mf-modules tests.
 *
 * It prints "key=value" lines (addresses as 0x hex) and "ready", then waits for a signal.
 *   str      a distinctive NUL-terminated string ("mftools-memtarget-7f3a9c")
 *   u32 u64 i32 i16 f32 f64 ptr wstr   typed values (see the expected values below)
 *   root     a global pointer: *root = node1, node1+0x10 = node2, node2+0x8 = final
 *   final    the address the chain root,0x10,0x8 ends at; it holds u64 0xfeedface12345678
 *   hole     three pages: "A" x 4096, an unmapped page, "C" x 4096
 *   big      BIG_SIZE bytes of a pattern: byte i = (i * 7 + i / 4096) & 0xff
 *   huge     HUGE_SIZE bytes mapped (zeros), for reads that outlive the process
 * With --threads it also starts a second thread ("mt-worker"), prints its "tid=", and then
 * its two threads wait in functions of their own, for backtraces of a process core:
 * main -> memtarget_main_wait and memtarget_worker -> memtarget_worker_wait.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BIG_SIZE (3u << 20)
#define HUGE_SIZE (256u << 20)
#define PAGE 4096u

char memtarget_str[64] = "mftools-memtarget-7f3a9c";
volatile uint32_t memtarget_u32 = 0xdeadbeefu;
volatile uint64_t memtarget_u64 = 0x0123456789abcdefull;
volatile int32_t memtarget_i32 = -123456;
volatile int16_t memtarget_i16 = -2;
volatile float memtarget_f32 = -1.5f;
volatile double memtarget_f64 = 3.25;
/* "wide ünï€😀" in UTF-16LE, NUL-terminated */
volatile uint16_t memtarget_wstr[] = { 'w', 'i', 'd', 'e', ' ', 0x00fc, 'n', 0x00ef, 0x20ac, 0xd83d, 0xde00, 0 };
void *volatile memtarget_root;

static void
memtarget_quit(int sig)
{
	(void)sig;
	_exit(0);
}

static volatile pid_t memtarget_worker_tid;

/* Not inlined and not static, so that backtraces name them. */
__attribute__((noinline)) void memtarget_worker_wait(void);
__attribute__((noinline)) void memtarget_main_wait(void);
void *memtarget_worker(void *arg);

__attribute__((noinline)) void
memtarget_worker_wait(void)
{
	for (;;)
		pause();
}

void *
memtarget_worker(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "mt-worker");
	memtarget_worker_tid = (pid_t)syscall(SYS_gettid);
	memtarget_worker_wait();
	return NULL;
}

__attribute__((noinline)) void
memtarget_main_wait(void)
{
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	uint8_t *node1, *node2, *hole, *big, *huge;
	bool threads = argc > 1 && strcmp(argv[1], "--threads") == 0;
	pthread_t th;
	size_t i;

#ifdef PR_SET_PTRACER
	/* let any process of ours read our memory under yama ptrace_scope=1 */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
#endif
	signal(SIGTERM, memtarget_quit);
	node1 = calloc(1, 64);
	node2 = calloc(1, 64);
	if (node1 == NULL || node2 == NULL)
		return 1;
	*(void **)(node1 + 0x10) = node2;
	*(uint64_t *)(node2 + 0x8) = 0xfeedface12345678ull;
	memtarget_root = node1;

	hole = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	big = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hole == MAP_FAILED || big == MAP_FAILED || huge == MAP_FAILED)
		return 1;
	memset(hole, 'A', PAGE);
	memset(hole + 2 * PAGE, 'C', PAGE);
	if (munmap(hole + PAGE, PAGE) != 0)
		return 1;
	for (i = 0; i < BIG_SIZE; i++)
		big[i] = (uint8_t)(i * 7 + i / 4096);

	printf("pid=%ld\n", (long)getpid());
	printf("str=%p\n", (void *)memtarget_str);
	printf("u32=%p\n", (void *)&memtarget_u32);
	printf("u64=%p\n", (void *)&memtarget_u64);
	printf("i32=%p\n", (void *)&memtarget_i32);
	printf("i16=%p\n", (void *)&memtarget_i16);
	printf("f32=%p\n", (void *)&memtarget_f32);
	printf("f64=%p\n", (void *)&memtarget_f64);
	printf("wstr=%p\n", (void *)memtarget_wstr);
	printf("root=%p\n", (void *)&memtarget_root);
	printf("final=%p\n", (void *)(node2 + 0x8));
	printf("hole=%p\n", (void *)hole);
	printf("big=%p\n", (void *)big);
	printf("bigsize=%u\n", BIG_SIZE);
	printf("huge=%p\n", (void *)huge);
	printf("hugesize=%u\n", HUGE_SIZE);
	if (threads) {
		if (pthread_create(&th, NULL, memtarget_worker, NULL) != 0)
			return 1;
		while (memtarget_worker_tid == 0)
			usleep(1000);
		printf("tid=%ld\n", (long)memtarget_worker_tid);
	}
	printf("ready\n");
	fflush(stdout);
	memtarget_main_wait();
	return 0;
}
