/*
 * XenStore through the ring page: read/write/mkdir/directory/rm, refusals by
 * permission and path, a committed and a conflicting transaction, and a watch
 * that fires at once and again when the toolstack writes. The host side (the
 * test harness as toolstack) made /local/domain/1 with domid = "1", a dom0-only
 * /tool/secret, and answers data/ping = "1" by writing control/shutdown.
 */
#include "pv.h"
#include "xenstore.h"

int memcmp(const void *a, const void *b, size_t n);

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int guest_main(struct start_info *si)
{
    (void)si;
    char value[256];
    char token[64];

    pv_expect_eq("xs_init_finds_the_ring", xs_init(), 0);
    pv_expect_eq("read_domid_length", xs_read(0, "domid", value, sizeof value), 1);
    pv_check("domid_is_1", same(value, "1"));

    pv_expect_eq("write", xs_write(0, "data/greeting", "hello"), 0);
    pv_expect_eq("read_back_length", xs_read(0, "data/greeting", value, sizeof value), 5);
    pv_check("read_back_value", same(value, "hello"));
    pv_expect_eq("mkdir", xs_mkdir(0, "data/dir/sub"), 0);
    pv_expect_eq("write_in_dir", xs_write(0, "data/dir/file", "x"), 0);
    int n = xs_directory(0, "data/dir", value, sizeof value);
    pv_check("directory_lists_the_children", n == 9 && memcmp(value, "file\0sub\0", 9) == 0);
    pv_expect_eq("rm_subtree", xs_rm(0, "data/dir"), 0);
    pv_expect_eq("read_after_rm_is_enoent", xs_read(0, "data/dir/file", value, sizeof value), -XS_ENOENT);
    n = xs_get_domain_path(1, value, sizeof value);
    pv_check("domain_path", n > 0 && same(value, "/local/domain/1"));

    pv_expect_eq("reading_a_dom0_node_is_eacces", xs_read(0, "/tool/secret", value, sizeof value), -XS_EACCES);
    pv_expect_eq("writing_dom0s_home_is_eacces", xs_write(0, "/local/domain/0/intruder", "x"), -XS_EACCES);
    pv_expect_eq("giving_a_node_away_is_eperm", xs_set_perms(0, "data/greeting", "n0\0", 3), -XS_EPERM);
    pv_expect_eq("malformed_path_is_einval", xs_read(0, "bad//path", value, sizeof value), -XS_EINVAL);

    uint32_t tx = 0;
    pv_expect_eq("transaction_start", xs_transaction_start(&tx), 0);
    pv_check("transaction_id_is_not_zero", tx != 0);
    pv_expect_eq("write_in_transaction", xs_write(tx, "data/tx/a", "1"), 0);
    pv_expect_eq("second_write_in_transaction", xs_write(tx, "data/tx/b", "2"), 0);
    pv_expect_eq("uncommitted_write_is_invisible_outside", xs_read(0, "data/tx/a", value, sizeof value), -XS_ENOENT);
    pv_expect_eq("commit", xs_transaction_end(tx, 1), 0);
    n = xs_read(0, "data/tx/b", value, sizeof value);
    pv_check("committed_write_is_visible", n == 1 && same(value, "2"));

    xs_write(0, "data/counter", "1");
    pv_expect_eq("second_transaction_start", xs_transaction_start(&tx), 0);
    xs_read(tx, "data/counter", value, sizeof value);
    xs_write(tx, "data/counter", "2");
    xs_write(0, "data/counter", "5");
    pv_expect_eq("conflicting_commit_is_eagain", xs_transaction_end(tx, 1), -XS_EAGAIN);
    xs_read(0, "data/counter", value, sizeof value);
    pv_check("conflicting_commit_left_no_trace", same(value, "5"));

    pv_expect_eq("watch", xs_watch("control/shutdown", "sd"), 0);
    n = xs_read_watch(value, sizeof value, token, sizeof token);
    pv_check("watch_fires_at_once", n == 0 && same(value, "control/shutdown") && same(token, "sd"));
    pv_expect_eq("ping_the_toolstack", xs_write(0, "data/ping", "1"), 0);
    n = xs_read_watch(value, sizeof value, token, sizeof token);
    pv_check("watch_fires_on_the_toolstacks_write", n == 0 && same(value, "control/shutdown") && same(token, "sd"));
    xs_read(0, "control/shutdown", value, sizeof value);
    pv_check("toolstack_asked_for_poweroff", same(value, "poweroff"));
    pv_expect_eq("unwatch", xs_unwatch("control/shutdown", "sd"), 0);
    pv_expect_eq("unwatch_twice_is_enoent", xs_unwatch("control/shutdown", "sd"), -XS_ENOENT);
    return 0;
}
