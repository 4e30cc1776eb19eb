#pragma once

#include <cstddef>

// How the process asks the C library for memory.
namespace ProcessMemory {

// Hands the free pages the C library keeps, in every thread's pool, back to the system. Worth
// it after a burst of work on helper threads, whose pools glibc otherwise keeps resident for as
// long as the process runs; it takes a few milliseconds, so not on the GUI thread. Does nothing
// where the C library is not glibc.
void giveBackFreedMemory();

// Has the C library give every block of memory of `bytes` or more pages of its own, handed back
// to the system as soon as the block is freed. By default glibc raises that size each time such
// a block is freed, so that later large blocks come from its pools, where a burst of large,
// short-lived buffers (a log of a million calls being indexed) stays resident after it is over.
// Process-wide; call it before the burst. Does nothing where the C library is not glibc.
void mapLargeBlocksOnTheirOwn(std::size_t bytes);

} // namespace ProcessMemory
