/* peinfo.c: a Windows test program for tests/wine.bats, built with mingw-w64 and run
 * under Wine.  It prints what mftools must find by itself from outside the process: its
 * Linux pid (a raw getpid system call), its PEB address, its command line,
 * GetProcAddress results (forwarded exports among them) and its module list
 * (EnumProcessModules + GetModuleInformation + GetModuleFileNameEx), then waits to be
 * killed.  Built for x64 (peinfo.exe) and for x86 (peinfo32.exe, 32-bit Wine).
 * Lines (CRLF under Wine):
 *   pid N
 *   peb 0xADDR
 *   cmdline TEXT
 *   proc MODULE NAME 0xADDR          (NAME may be #ORDINAL)
 *   module 0xBASE 0xSIZE PATH
 *   ready */
#include <windows.h>
#include <psapi.h>
#include <winternl.h>
#include <stdio.h>

#include "modlist.h"

static long long
linux_getpid(void)
{
#if defined(__x86_64__)
	long long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(39LL) : "rcx", "r11", "memory");
	return r;
#else   /* i386 (32-bit Wine): int $0x80, getpid is 20 */
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r;
#endif
}

static void
proc(const char *mod, const char *name)
{
	HMODULE h = GetModuleHandleA(mod);
	FARPROC p;

	if (h == NULL)
		h = LoadLibraryA(mod);
	if (name[0] == '#')
		p = GetProcAddress(h, (LPCSTR)(ULONG_PTR)atoi(name + 1));
	else
		p = GetProcAddress(h, name);
	printf("proc %s %s %p\n", mod, name, (void *)p);
}

int
main(int argc, char **argv)
{
	DWORD i;
	static const char *const procs[][2] = {
		{ "kernel32.dll", "HeapAlloc" },        /* forwarded to ntdll.RtlAllocateHeap */
		{ "kernel32.dll", "HeapFree" },
		{ "kernel32.dll", "GetProcAddress" },   /* kernel32's own */
		{ "kernel32.dll", "CreateFileA" },      /* forwarded to kernelbase */
		{ "kernel32.dll", "GetCurrentProcessId" },
		{ "ntdll.dll", "RtlAllocateHeap" },
		{ "ntdll.dll", "NtClose" },
		{ "kernelbase.dll", "CreateFileA" },
		{ "kernel32.dll", "#1" },               /* by ordinal: a forwarder to ntdll */
	};

	(void)argc;
	(void)argv;
	printf("pid %lld\n", linux_getpid());
	printf("peb %p\n", (void *)NtCurrentTeb()->ProcessEnvironmentBlock);
	printf("cmdline %s\n", GetCommandLineA());
	for (i = 0; i < sizeof procs / sizeof procs[0]; i++)
		proc(procs[i][0], procs[i][1]);
	/* last: the modules GetProcAddress loaded are in the list (32-bit Wine forwards
	 * kernel32's ordinal 1 to krnl386.exe16) */
	if (modlist_print() < 0) {
		printf("error EnumProcessModules %lu\n", GetLastError());
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		Sleep(1000);
}
