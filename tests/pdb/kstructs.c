/* kstructs.c: a freestanding Windows program whose types mirror the kernel structures the
 * win32 os layer reads (_LIST_ENTRY, an EPROCESS-like struct with nested and anonymous
 * unions, bitfields, arrays, pointers to forward-declared structs).  tests/pdb.bats builds
 * it with clang-14 --target=x86_64-pc-windows-msvc and lld-link-14 /debug, then compares
 * what mf-syms --pdb reads from the PDB with llvm-pdbutil-14.  Built with -DKSTRUCTS_WAIT it
 * sets its globals, then sleeps (under Wine): they are read through the PDB's RVAs and
 * member offsets. */

typedef unsigned char UCHAR;
typedef unsigned short USHORT;
typedef unsigned long ULONG;          /* 32 bits on Windows */
typedef unsigned long long ULONGLONG;
typedef long long LONGLONG;
typedef void *PVOID;
typedef unsigned short WCHAR;

typedef struct _LIST_ENTRY {
	struct _LIST_ENTRY *Flink;
	struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _UNICODE_STRING {
	USHORT Length;
	USHORT MaximumLength;
	WCHAR *Buffer;
} UNICODE_STRING;

typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		long HighPart;
	};
	struct {
		ULONG LowPart;
		long HighPart;
	} u;
	LONGLONG QuadPart;
} LARGE_INTEGER;

/* never defined here: a pointer to a forward-declared struct */
struct _EJOB;
struct _PEB;

typedef struct _EX_FAST_REF {
	union {
		PVOID Object;
		ULONGLONG RefCnt : 4;
		ULONGLONG Value;
	};
} EX_FAST_REF;

typedef struct _KPROCESS {
	UCHAR Header[24];
	LIST_ENTRY ProfileListHead;
	ULONGLONG DirectoryTableBase;
	LIST_ENTRY ThreadListHead;
	union {
		ULONG ProcessFlags;
		struct {
			ULONG AutoAlignment : 1;
			ULONG DisableBoost : 1;
			ULONG DisableQuantum : 1;
			ULONG DeepFreeze : 1;
			ULONG TimerVirtualization : 1;
			ULONG CheckStackExtents : 1;
			ULONG ReservedFlags : 26;
		};
	};
	char BasePriority;
	char QuantumReset;
	unsigned long long UserDirectoryTableBase;
} KPROCESS;

typedef struct _EPROCESS {
	KPROCESS Pcb;
	PVOID UniqueProcessId;
	LIST_ENTRY ActiveProcessLinks;
	EX_FAST_REF Token;
	union {
		ULONG Flags2;
		struct {
			ULONG JobNotReallyActive : 1;
			ULONG AccountingFolded : 1;
			ULONG NewProcessReported : 1;
			ULONG ExitProcessReported : 1;
			ULONG ReportCommitChanges : 1;
			ULONG LastReportMemory : 1;
			ULONG Reserved : 26;
		};
	};
	union {
		ULONG Flags;
		struct {
			ULONG CreateReported : 1;
			ULONG NoDebugInherit : 1;
			ULONG ProcessExiting : 1;
			ULONG ProcessDelete : 1;
			ULONG ManageExecutableMemoryWrites : 1;
			ULONG VmDeleted : 1;
			ULONG OutswapEnabled : 1;
			ULONG Outswapped : 1;
			ULONG FailFastOnCommitFail : 1;
			ULONG Wow64VaSpace4Gb : 1;
			ULONG AddressSpaceInitialized : 2;
			ULONG SetTimerResolution : 1;
			ULONG BreakOnTermination : 1;
			ULONG Spare : 18;
		};
	};
	LARGE_INTEGER CreateTime;
	ULONGLONG ProcessQuotaUsage[2];
	PVOID InheritedFromUniqueProcessId;
	struct _EJOB *Job;
	struct _PEB *Peb;
	UCHAR ImageFileName[15];
	UCHAR PriorityClass;
	LIST_ENTRY ThreadListHead;
	ULONG ActiveThreads;
	struct {
		USHORT Count;
		LIST_ENTRY Links[3];
	} Nested[2];
	UNICODE_STRING *ImagePathName;
	volatile long ExitStatus;
	const struct _EPROCESS *Self;
	enum _PS_PROTECTED_TYPE { PsProtectedTypeNone, PsProtectedTypeLight, PsProtectedTypeMax = 7 } Protection;
	ULONGLONG LastBits : 40;
	ULONGLONG MoreBits : 24;
} EPROCESS;

#ifdef KSTRUCTS_WAIT   /* the build tests/pdb.bats runs under Wine: it waits to be read */
__declspec(dllimport) void __stdcall Sleep(ULONG ms);
#endif

EPROCESS PsInitialSystemProcessObject;
EPROCESS *PsInitialSystemProcess = &PsInitialSystemProcessObject;
LIST_ENTRY PsActiveProcessHead;
static ULONG KeNumberProcessorsLocal = 4;
const char KiBuildTag[] = "mftools-pdb-test";
ULONG NtBuildNumber = 0xF0004A61;
volatile ULONGLONG MmUserProbeAddress;

ULONG
KiProcessorCount(void)
{
	return KeNumberProcessorsLocal + (ULONG)KiBuildTag[0];
}

typedef enum _POOL_TYPE {
	NonPagedPool,
	PagedPool,
	NonPagedPoolNx = 512,
	PoolTypeNegative = -3,
	PoolTypeLarge = 0x12345678,
} POOL_TYPE;

int
main(void)
{
	POOL_TYPE pool = PagedPool;   /* a local: the type is in the PDB, the data stays as it is */

	PsActiveProcessHead.Flink = &PsInitialSystemProcessObject.ActiveProcessLinks;
	PsActiveProcessHead.Blink = &PsInitialSystemProcessObject.ActiveProcessLinks;
	PsInitialSystemProcessObject.UniqueProcessId = (PVOID)4;
	MmUserProbeAddress = 0x7fffffff0000ull;
#ifdef KSTRUCTS_WAIT
	for (;;)
		Sleep(1000);
#endif
	return (int)KiProcessorCount() + (int)sizeof(EPROCESS) + (int)PsInitialSystemProcess->Flags + (int)pool;
}
