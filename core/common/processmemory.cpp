#include "processmemory.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void ProcessMemory::giveBackFreedMemory()
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void ProcessMemory::mapLargeBlocksOnTheirOwn(std::size_t bytes)
{
#ifdef __GLIBC__
    // A threshold set by hand is never raised again.
    mallopt(M_MMAP_THRESHOLD, int(bytes));
#else
    (void)bytes;
#endif
}
