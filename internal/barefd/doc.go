// Package barefd owns reading a file through a bare descriptor — a file
// descriptor that is never made an *os.File — and naming the kind of file
// a stat mode describes as fs.FileMode does.
//
// os.Open offers every file it opens to the runtime's poller, which
// refuses a regular file: one or two system calls more for each file, a
// tenth of what reading a small photo costs, where a build copies and
// re-reads tens of thousands of them (internal/source's OpenFD,
// internal/digest's OpenCopy). File is open(2), read(2) and close(2) and
// nothing else, each retried when a signal interrupts it, with errors as
// *fs.PathError naming the file, as *os.File's are; reading it leaves its
// access time as it was where the system allows (O_NOATIME, asked for each
// file: KeepingAccessTime).
// ReadAt reads back, with pread(2), a file still open as it was written
// (packager/evidence's small copies, read back without a second open).
// ModeType is the stat
// mode's kind as os.Lstat reads it, for callers that stat with fstat or
// fstatat themselves (internal/source, internal/beneath).
//
// IgnoringEINTR is the one retry of a system call a signal interrupted,
// for every call casepack makes itself rather than through the os
// package (which retries its own).
//
// It is a leaf: it imports only the standard library (internal/digest's
// TestLeaf checks it, with all digest depends on). File and ModeType are
// built on Linux only, where their callers are; IgnoringEINTR on every
// Unix.
package barefd
