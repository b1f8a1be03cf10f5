/* ntkernel.c: a freestanding Windows program whose types carry the names and members the
 * win32 os layer reads from ntoskrnl's PDB (_KPROCESS, _EPROCESS, _KLDR_DATA_TABLE_ENTRY,
 * _EWOW64PROCESS, and the VAD tree's types with other bitfield positions),
 * at offsets unlike the installed build-19041 table (an invented layout, checked below
 * with static assertions; tests/win32.bats writes the same numbers as the image
 * generator's table).  tests/win32.bats builds it with clang-14 and lld-link-14 /debug and
 * opens an image laid out so with -o win32:pdb=ntkernel.pdb: the offsets must come from the
 * PDB. */

typedef unsigned char UCHAR;
typedef unsigned short USHORT;
typedef unsigned long ULONG;
typedef long LONG;
typedef unsigned long long ULONGLONG;
typedef unsigned short WCHAR;

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY;

typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	WCHAR *Buffer;
} UNICODE_STRING;

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	ULONGLONG QuadPart;
} LARGE_INTEGER;

typedef struct _SE_AUDIT_PROCESS_CREATION_INFO {
	struct _OBJECT_NAME_INFORMATION *ImageFileName;
} SE_AUDIT_PROCESS_CREATION_INFO;

typedef struct _KPROCESS {
	UCHAR Header[0x30];
	ULONGLONG DirectoryTableBase;      /* 0x30 */
	UCHAR Rest[0x2a8];
} KPROCESS;                                /* 0x2e0 */

typedef struct _EPROCESS {
	struct _KPROCESS Pcb;
	void *UniqueProcessId;             /* 0x2e0 */
	struct _LIST_ENTRY ActiveProcessLinks;   /* 0x2e8 */
	UCHAR pad0[0x08];
	union _LARGE_INTEGER CreateTime;   /* 0x300 */
	UCHAR pad1[0xd8];
	void *InheritedFromUniqueProcessId;   /* 0x3e0 */
	UCHAR pad2[0x10];
	struct _PEB *Peb;                  /* 0x3f8 */
	UCHAR pad3[0x28];
	struct _EWOW64PROCESS *WoW64Process;   /* 0x428 */
	UCHAR pad4[0x20];
	UCHAR ImageFileName[15];           /* 0x450 */
	UCHAR PriorityClass;
	UCHAR pad5[0x08];
	struct _SE_AUDIT_PROCESS_CREATION_INFO SeAuditProcessCreationInfo;   /* 0x468 */
	UCHAR pad6[0x1e4];
	LONG ExitStatus;                   /* 0x654 */
	struct _RTL_BALANCED_NODE *VadRoot;   /* 0x658 */
	UCHAR pad7[0x60];
	union _LARGE_INTEGER ExitTime;     /* 0x6c0 */
	UCHAR pad8[0x100];
} EPROCESS;

typedef struct _EWOW64PROCESS {
	UCHAR pad[0x10];
	void *Peb;                         /* 0x10 */
	USHORT Machine;
} EWOW64PROCESS;

typedef struct _RTL_BALANCED_NODE {
	struct _RTL_BALANCED_NODE *Left;
	struct _RTL_BALANCED_NODE *Right;
	ULONGLONG ParentValue;
} RTL_BALANCED_NODE;

/* bit positions unlike 19041's (Protection 7:5, PrivateMemory 20:1) */
typedef struct _MMVAD_FLAGS {
	ULONG Lock : 1;
	ULONG VadType : 3;
	ULONG Spare : 4;
	ULONG Protection : 5;              /* 8:5 */
	ULONG PreferredNode : 8;
	ULONG PrivateMemory : 1;           /* 21:1 */
} MMVAD_FLAGS;

typedef struct _MMVAD_SHORT {
	struct _RTL_BALANCED_NODE VadNode;
	ULONG StartingVpn;                 /* 0x18 */
	ULONG EndingVpn;
	UCHAR StartingVpnHigh;             /* 0x20 */
	UCHAR EndingVpnHigh;
	UCHAR pad[0x0e];
	union {
		ULONG LongFlags;
		struct _MMVAD_FLAGS VadFlags;
	} u;                               /* 0x30 */
	ULONG u1;
	void *EventList;
} MMVAD_SHORT;

typedef struct _MMVAD {
	struct _MMVAD_SHORT Core;
	ULONG u2;
	struct _SUBSECTION *Subsection;    /* 0x48 */
} MMVAD;

typedef struct _SUBSECTION {
	struct _CONTROL_AREA *ControlArea;
} SUBSECTION;

typedef struct _CONTROL_AREA {
	UCHAR pad[0x40];
	ULONGLONG FilePointer;             /* 0x40: an _EX_FAST_REF */
} CONTROL_AREA;

typedef struct _FILE_OBJECT {
	UCHAR pad[0x58];
	struct _UNICODE_STRING FileName;   /* 0x58 */
} FILE_OBJECT;

typedef struct _KLDR_DATA_TABLE_ENTRY {
	struct _LIST_ENTRY InLoadOrderLinks;
	void *ExceptionTable;
	ULONG ExceptionTableSize;
	void *GpValue;
	void *NonPagedDebugInfo;
	void *DllBase;                     /* 0x30 */
	void *EntryPoint;
	ULONG SizeOfImage;                 /* 0x40 */
	struct _UNICODE_STRING FullDllName;   /* 0x48 */
	struct _UNICODE_STRING BaseDllName;   /* 0x58 */
	ULONG Flags;
} KLDR_DATA_TABLE_ENTRY;

#define AT(t, m, o) _Static_assert(__builtin_offsetof(struct t, m) == (o), #t "." #m)
AT(_KPROCESS, DirectoryTableBase, 0x30);
AT(_EPROCESS, UniqueProcessId, 0x2e0);
AT(_EPROCESS, ActiveProcessLinks, 0x2e8);
AT(_EPROCESS, CreateTime, 0x300);
AT(_EPROCESS, InheritedFromUniqueProcessId, 0x3e0);
AT(_EPROCESS, Peb, 0x3f8);
AT(_EPROCESS, WoW64Process, 0x428);
AT(_EPROCESS, ImageFileName, 0x450);
AT(_EPROCESS, SeAuditProcessCreationInfo, 0x468);
AT(_EPROCESS, ExitStatus, 0x654);
AT(_EPROCESS, VadRoot, 0x658);
AT(_EPROCESS, ExitTime, 0x6c0);
AT(_KLDR_DATA_TABLE_ENTRY, DllBase, 0x30);
AT(_KLDR_DATA_TABLE_ENTRY, SizeOfImage, 0x40);
AT(_KLDR_DATA_TABLE_ENTRY, FullDllName, 0x48);
AT(_KLDR_DATA_TABLE_ENTRY, BaseDllName, 0x58);
AT(_EWOW64PROCESS, Peb, 0x10);
AT(_MMVAD_SHORT, StartingVpn, 0x18);
AT(_MMVAD_SHORT, StartingVpnHigh, 0x20);
AT(_MMVAD_SHORT, u, 0x30);
AT(_MMVAD, Subsection, 0x48);
AT(_CONTROL_AREA, FilePointer, 0x40);
AT(_FILE_OBJECT, FileName, 0x58);

struct _EPROCESS g_process;
struct _KLDR_DATA_TABLE_ENTRY g_module;
struct _EWOW64PROCESS g_wow64;
struct _MMVAD g_vad;
struct _SUBSECTION g_subsection;
struct _CONTROL_AREA g_control_area;
struct _FILE_OBJECT g_file;

int
main(void)
{
	return (int)g_process.Pcb.DirectoryTableBase + (int)g_module.SizeOfImage + g_wow64.Machine +
	       (int)g_vad.Core.u.VadFlags.Protection + (int)g_control_area.FilePointer +
	       (g_subsection.ControlArea != 0) + g_file.FileName.Length;
}
