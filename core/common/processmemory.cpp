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
