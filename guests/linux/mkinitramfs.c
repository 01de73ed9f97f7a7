/*
 * Writes an initramfs as a newc cpio archive (the format the kernel unpacks).
 *
 *   mkinitramfs INIT OUTPUT      the directory dev, the character device dev/console (5, 1) and
 *                                /init from the file INIT (the static /init of the Linux tests)
 *   mkinitramfs -d ROOT OUTPUT   every directory, regular file and symbolic link under ROOT, in
 *                                name order, plus dev/console when ROOT has none
 *
 * Entries are owned by root with modification time 0, so the same tree gives the same bytes.
 * A file with several hard links is written once per name. A device node needs no privileges
 * here: it is only a header in the archive.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static unsigned next_ino = 1;

static void pad(FILE *out, long written)
{
    while (written % 4 != 0) {
        fputc(0, out);
        written++;
    }
}

static void entry(FILE *out, unsigned mode, unsigned rmajor, unsigned rminor, const char *name,
                  const unsigned char *data, unsigned long size)
{
    unsigned long namesize = strlen(name) + 1;
    unsigned nlink = (mode & 0170000) == 0040000 ? 2u : 1u;
    unsigned ino = mode == 0 ? 0u : next_ino++;
    fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X", ino, mode, 0u, 0u, nlink, 0u, size, 0u,
            0u, rmajor, rminor, namesize, 0u);
    fwrite(name, 1, namesize, out);
    pad(out, 110 + (long)namesize);
    if (size) {
        fwrite(data, 1, size, out);
        pad(out, (long)size);
    }
}

/* Reads a whole file; NULL (with a message) when it cannot. */
static unsigned char *slurp(const char *path, unsigned long *size)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        return NULL;
    }
    fseek(in, 0, SEEK_END);
    long length = ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *data = malloc(length > 0 ? (size_t)length : 1);
    if (!data || fread(data, 1, (size_t)length, in) != (size_t)length) {
        fprintf(stderr, "%s: cannot read\n", path);
        fclose(in);
        free(data);
        return NULL;
    }
    fclose(in);
    *size = (unsigned long)length;
    return data;
}

/* Writes the entries under ROOT/RELATIVE (RELATIVE empty for ROOT itself); 0 on success. */
static int tree(FILE *out, const char *root, const char *relative, int *has_console)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, *relative ? "/" : "", relative);
    struct dirent **names;
    int count = scandir(dir, &names, NULL, alphasort);
    if (count < 0) {
        perror(dir);
        return 1;
    }
    int status = 0;
    for (int i = 0; i < count && status == 0; i++) {
        const char *leaf = names[i]->d_name;
        if (strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0)
            continue;
        char name[4096], path[8192];
        snprintf(name, sizeof name, "%s%s%s", relative, *relative ? "/" : "", leaf);
        snprintf(path, sizeof path, "%s/%s", root, name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            perror(path);
            status = 1;
        } else if (S_ISDIR(st.st_mode)) {
            entry(out, 0040000 | (st.st_mode & 07777), 0, 0, name, NULL, 0);
            status = tree(out, root, name, has_console);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t length = readlink(path, target, sizeof target);
            if (length < 0 || length == (ssize_t)sizeof target) {
                perror(path);
                status = 1;
            } else {
                entry(out, 0120777, 0, 0, name, (const unsigned char *)target, (unsigned long)length);
            }
        } else if (S_ISREG(st.st_mode)) {
            unsigned long size = 0;
            unsigned char *data = slurp(path, &size);
            if (!data) {
                status = 1;
            } else {
                entry(out, 0100000 | (st.st_mode & 07777), 0, 0, name, data, size);
                free(data);
            }
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            entry(out, (unsigned)st.st_mode, major(st.st_rdev), minor(st.st_rdev), name, NULL, 0);
            if (strcmp(name, "dev/console") == 0)
                *has_console = 1;
        } else {
            fprintf(stderr, "%s: not a directory, file, link or device; left out\n", path);
        }
    }
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return status;
}

int main(int argc, char **argv)
{
    int from_tree = argc == 4 && strcmp(argv[1], "-d") == 0;
    if (argc != 3 && !from_tree) {
        fprintf(stderr, "usage: %s INIT OUTPUT\n       %s -d ROOT OUTPUT\n", argv[0], argv[0]);
        return 2;
    }
    const char *output = argv[argc - 1];
    FILE *out = fopen(output, "wb");
    if (!out) {
        perror(output);
        return 1;
    }
    int status = 0;
    if (from_tree) {
        int has_console = 0;
        status = tree(out, argv[2], "", &has_console);
        if (!has_console)
            entry(out, 0020600, 5, 1, "dev/console", NULL, 0);
    } else {
        unsigned long size = 0;
        unsigned char *init = slurp(argv[1], &size);
        if (!init)
            return 1;
        entry(out, 0040755, 0, 0, "dev", NULL, 0);
        entry(out, 0020600, 5, 1, "dev/console", NULL, 0);
        entry(out, 0100755, 0, 0, "init", init, size);
        free(init);
    }
    entry(out, 0, 0, 0, "TRAILER!!!", NULL, 0);
    return fclose(out) == 0 && status == 0 ? 0 : 1;
}
