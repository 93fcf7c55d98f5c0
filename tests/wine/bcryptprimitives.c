/* Test scaffolding for the Wine journeys only; never shipped.
 *
 * Rust's standard library (1.78 and later) takes its randomness from ProcessPrng in
 * bcryptprimitives.dll. Windows 10 and 11 have it; Wine 8 (Debian 12) does not, so no Rust
 * program starts under it. Placed next to the exe under test, this one-function DLL answers
 * ProcessPrng from RtlGenRandom (advapi32's SystemFunction036), which Wine does have.
 * Built by tests/wine/journeys.sh:
 *   x86_64-w64-mingw32-gcc -shared -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: hand it over in pieces. */
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    /* Windows documents ProcessPrng as always returning TRUE. */
    return TRUE;
}
