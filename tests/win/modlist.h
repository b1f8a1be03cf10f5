/* modlist.h: the module list a Windows test program prints, one line per module of its
 * own process (EnumProcessModules + GetModuleInformation + GetModuleFileNameEx):
 *   module 0xBASE 0xSIZE PATH
 * 0, or -1 when EnumProcessModules fails.  Link with -lpsapi. */
#ifndef MF_TESTS_WIN_MODLIST_H
#define MF_TESTS_WIN_MODLIST_H

#include <windows.h>
#include <psapi.h>
#include <stdio.h>

static int
modlist_print(void)
{
	HMODULE mods[512];
	DWORD need = 0, i;

	if (!EnumProcessModules(GetCurrentProcess(), mods, sizeof mods, &need))
		return -1;
	for (i = 0; i < need / sizeof mods[0] && i < 512; i++) {
		MODULEINFO mi;
		char path[MAX_PATH];

		if (!GetModuleInformation(GetCurrentProcess(), mods[i], &mi, sizeof mi) ||
		    GetModuleFileNameExA(GetCurrentProcess(), mods[i], path, sizeof path) == 0)
			continue;
		printf("module %p 0x%lx %s\n", mi.lpBaseOfDll, (unsigned long)mi.SizeOfImage, path);
	}
	return 0;
}

#endif
