/* mdself.c: a Windows test program for tests/minidump.bats, built with mingw-w64 and run
 * under Wine.  It fills a buffer with a known pattern, starts a second thread that spins
 * with a known value in r12, prints what a minidump reader must find, then writes a
 * minidump of itself with dbghelp's MiniDumpWriteDump and exits.
 *   mdself.exe FILE [full|normal]
 * Lines (CRLF under Wine):
 *   pid N                          (the Windows process id)
 *   tid N                          (the main thread, which writes the dump)
 *   spinner N 0xRIP0 0xRIP1 0xR12  (the second thread: its rip lies in [RIP0, RIP1), r12 = R12)
 *   buffer 0xADDR 0xLEN            (byte i of the buffer is (i * 7 + 3) & 0xff)
 *   module 0xBASE 0xSIZE PATH
 *   cmdline TEXT
 *   dumped FILE
 * or "error WHAT CODE" and exit status 1. */
#include <windows.h>
#include <dbghelp.h>
#include <psapi.h>
#include <stdio.h>
#include <string.h>

#include "modlist.h"

#define MDSELF_BUF 65536
#define MDSELF_R12 0x1122334455667788ULL

extern char mdself_spin_start[], mdself_spin_end[];

/* The spinner's body: r12 holds MDSELF_R12 while it loops between the two labels. */
__asm__(".text\n"
        ".globl mdself_spin\n"
        "mdself_spin:\n"
        "  movabsq $0x1122334455667788, %r12\n"
        ".globl mdself_spin_start\n"
        "mdself_spin_start:\n"
        "  pause\n"
        "  jmp mdself_spin_start\n"
        ".globl mdself_spin_end\n"
        "mdself_spin_end:\n"
        "  ret\n");
extern DWORD WINAPI mdself_spin(LPVOID);

static int
fail(const char *what)
{
	printf("error %s %lu\n", what, GetLastError());
	return 1;
}

int
main(int argc, char **argv)
{
	DWORD i, tid = 0;
	MINIDUMP_TYPE type = MiniDumpWithFullMemory;
	unsigned char *buf;
	HANDLE file, th;

	if (argc < 2)
		return fail("usage");
	if (argc > 2 && strcmp(argv[2], "normal") == 0)
		type = MiniDumpNormal;
	buf = VirtualAlloc(NULL, MDSELF_BUF, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
	if (buf == NULL)
		return fail("VirtualAlloc");
	for (i = 0; i < MDSELF_BUF; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	th = CreateThread(NULL, 0, mdself_spin, NULL, 0, &tid);
	if (th == NULL)
		return fail("CreateThread");
	Sleep(200);   /* let the spinner reach its loop */
	printf("pid %lu\n", GetCurrentProcessId());
	printf("tid %lu\n", GetCurrentThreadId());
	printf("spinner %lu %p %p 0x%llx\n", tid, (void *)mdself_spin_start, (void *)mdself_spin_end, MDSELF_R12);
	printf("buffer %p 0x%x\n", (void *)buf, MDSELF_BUF);
	if (modlist_print() < 0)
		return fail("EnumProcessModules");
	printf("cmdline %s\n", GetCommandLineA());
	fflush(stdout);
	file = CreateFileA(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (file == INVALID_HANDLE_VALUE)
		return fail("CreateFile");
	if (!MiniDumpWriteDump(GetCurrentProcess(), GetCurrentProcessId(), file, type, NULL, NULL, NULL))
		return fail("MiniDumpWriteDump");
	CloseHandle(file);
	printf("dumped %s\n", argv[1]);
	fflush(stdout);
	ExitProcess(0);
}
