/*
 * Writes the initramfs of the Linux demo as a newc cpio archive (the format the kernel unpacks):
 * the directory dev, the character device dev/console (5, 1) and /init from the file named on the
 * command line. A device node needs no privileges here: it is only a header in the archive.
 * Usage: mkinitramfs INIT OUTPUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pad(FILE *out, long written)
{
    while (written % 4 != 0) {
        fputc(0, out);
        written++;
    }
}

static void entry(FILE *out, unsigned ino, unsigned mode, unsigned rmajor, unsigned rminor, const char *name,
                  const unsigned char *data, unsigned long size)
{
    unsigned long namesize = strlen(name) + 1;
    fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X", ino, mode, 0u, 0u, 1u, 0u, size, 0u, 0u,
            rmajor, rminor, namesize, 0u);
    fwrite(name, 1, namesize, out);
    pad(out, 110 + (long)namesize);
    if (size) {
        fwrite(data, 1, size, out);
        pad(out, (long)size);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s INIT OUTPUT\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *init = malloc((size_t)size);
    if (!init || fread(init, 1, (size_t)size, in) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 1;
    }
    fclose(in);
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    entry(out, 1, 0040755, 0, 0, "dev", NULL, 0);
    entry(out, 2, 0020600, 5, 1, "dev/console", NULL, 0);
    entry(out, 3, 0100755, 0, 0, "init", init, (unsigned long)size);
    entry(out, 0, 0, 0, 0, "TRAILER!!!", NULL, 0);
    free(init);
    return fclose(out) == 0 ? 0 : 1;
}
