/* Test scaffolding for the Wine journeys only; never shipped.
 *
 * Looks into the Windows Credential Manager the way any Windows program would (CredEnumerateW,
 * CredReadW), so the journeys can see what ado-connect-cli.exe stored there without trusting
 * the CLI's own word:
 *   credtool list         one line per generic credential whose target ends in ".ado-connect":
 *                         the target name, a tab, the size of its secret in bytes
 *   credtool read TARGET  the secret of that credential, decoded from UTF-16 (how the keyring
 *                         crate stores passwords) to UTF-8, on stdout; exit 3 if there is none
 * Built by tests/wine/journeys.sh with MinGW:
 *   x86_64-w64-mingw32-gcc -municode -o credtool.exe credtool.c -ladvapi32
 */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <fcntl.h>
#include <io.h>

static void put_utf8(const wchar_t *text, int len)
{
    int size = WideCharToMultiByte(CP_UTF8, 0, text, len, NULL, 0, NULL, NULL);
    char *out = HeapAlloc(GetProcessHeap(), 0, size > 0 ? size : 1);
    if (size > 0) {
        WideCharToMultiByte(CP_UTF8, 0, text, len, out, size, NULL, NULL);
        fwrite(out, 1, size, stdout);
    }
    HeapFree(GetProcessHeap(), 0, out);
}

static int ends_with(const wchar_t *s, const wchar_t *suffix)
{
    size_t n = wcslen(s), m = wcslen(suffix);
    return n >= m && wcscmp(s + n - m, suffix) == 0;
}

int wmain(int argc, wchar_t **argv)
{
    _setmode(_fileno(stdout), _O_BINARY);
    if (argc == 2 && wcscmp(argv[1], L"list") == 0) {
        DWORD count = 0;
        PCREDENTIALW *creds = NULL;
        if (!CredEnumerateW(NULL, 0, &count, &creds)) {
            if (GetLastError() == ERROR_NOT_FOUND)
                return 0;
            fprintf(stderr, "credtool: CredEnumerateW failed: %lu\n", GetLastError());
            return 1;
        }
        for (DWORD i = 0; i < count; i++) {
            if (creds[i]->Type != CRED_TYPE_GENERIC || !ends_with(creds[i]->TargetName, L".ado-connect"))
                continue;
            put_utf8(creds[i]->TargetName, (int)wcslen(creds[i]->TargetName));
            printf("\t%lu\n", creds[i]->CredentialBlobSize);
        }
        CredFree(creds);
        return 0;
    }
    if (argc == 3 && wcscmp(argv[1], L"read") == 0) {
        PCREDENTIALW cred = NULL;
        if (!CredReadW(argv[2], CRED_TYPE_GENERIC, 0, &cred)) {
            if (GetLastError() == ERROR_NOT_FOUND)
                return 3;
            fprintf(stderr, "credtool: CredReadW failed: %lu\n", GetLastError());
            return 1;
        }
        put_utf8((const wchar_t *)cred->CredentialBlob, (int)(cred->CredentialBlobSize / sizeof(wchar_t)));
        CredFree(cred);
        return 0;
    }
    fprintf(stderr, "usage: credtool list | credtool read TARGET\n");
    return 2;
}
