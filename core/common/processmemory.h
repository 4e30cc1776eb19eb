#pragma once

// How the process asks the C library for memory.
namespace ProcessMemory {

// Hands the free pages the C library keeps, in every thread's pool, back to the system. Worth
// it after a burst of work on helper threads, whose pools glibc otherwise keeps resident for as
// long as the process runs; it takes a few milliseconds, so not on the GUI thread. Does nothing
// where the C library is not glibc.
void giveBackFreedMemory();

} // namespace ProcessMemory
