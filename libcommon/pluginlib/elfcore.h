/* pluginlib/elfcore.h: the ELF core parser of the elf and kcore connectors.
 *
 * Reads the ELF header (ELF32 or ELF64, little-endian, ET_CORE), the program headers
 * (honouring e_phoff, PN_XNUM through section header 0), turns PT_LOADs into a segment map
 * and PT_NOTEs into hints:
 *   CORE/NT_PRSTATUS  -> "cpus" (count)
 *   QEMU/0            -> "dtb" (CR3 of CPU 0), "arch" (with e_machine and CR4)
 *   VMCOREINFO        -> "vmcoreinfo", "kernel_offset", "phys_base", "osrelease"
 *   MFTOOLS/0x4d460001 (or 1, older files) -> "mftools_record" (bin, parsed by the host)
 *   VBCORE            -> format "elf-vbox"
 *   CORE, QEMU (any)  -> also "cpu_notes" (bin: the notes themselves, as in the file, 4-byte
 *                        aligned; not for kcore), which mf-dump's ELF writer copies
 * Part of libmfplugin.la (see vmcoreinfo.h for how to link it).
 */
#ifndef MF_PLUGINLIB_ELFCORE_H
#define MF_PLUGINLIB_ELFCORE_H

#include <stdint.h>

#include <mftools/plugin.h>

#include "pluginlib/rangemap.h"

enum elfcore_mode { ELFCORE_FILE, ELFCORE_KCORE };

/* The caller fills host, hints, path, fd, fsize and mode; the parser the rest. */
struct elfcore {
	const struct mf_host *host;
	struct mf_hints *hints;
	const char *path;
	int fd;
	uint64_t fsize;
	enum elfcore_mode mode;
	int is64;
	uint16_t machine;
	/* from the notes */
	uint32_t cpus;
	int have_qemu, have_vbox;
	uint64_t cr0, cr3, cr4;
	uint8_t *cpu_notes;          /* while parsing: the CPU notes kept for "cpu_notes" */
	uint64_t cpu_notes_len;
};

/* Parse the core open in ec->fd into map (segments sorted, finished) and hints.  0 or a
 * negative MF_ERR_* with errbuf (MF_ERRBUF_SIZE bytes). */
int elfcore_parse(struct elfcore *ec, struct rmap *map, char *errbuf);

#endif
