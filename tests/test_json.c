/* test_json.c — the rachis/1 JSON writer: key order, escaping of any byte
 * sequence, error records. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

TestSuite(json, .init = t_setup, .fini = t_teardown);

static char *json_of(const char *text, size_t n, unsigned flags)
{
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "a\"b\\c";
    in.path = "dir/a.txt";
    in.text = text;
    in.length = n;
    const rachis_record *r;
    rachis_scan(t_scanner, &in, &r);
    static rachis_buf b;
    b.len = 0;
    rachis_record_to_json(r, flags, &b);
    return b.data;
}

Test(json, escapes_every_byte)
{
    static const char text[] = "a\"\\\x01\t\n\r\x7f\xc3\xa9\xe2\x80\x93\xff\xc3\x28\xed\xa0\x80\0z";
    char *j = json_of(text, sizeof text - 1, RACHIS_JSON_WITH_TEXT);
    const char *want = "\"text\":\"a\\\"\\\\\\u0001\\t\\n\\r\x7f\xc3\xa9\xe2\x80\x93\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\u0000z\"}\n";
    cr_expect(strstr(j, want) != NULL, "got %s", j);
    cr_expect(strstr(j, "\"id\":\"a\\\"b\\\\c\"") != NULL);
}

Test(json, key_order_and_empty_record)
{
    char *j = json_of("Normal study.", 13, 0);
    cr_expect_str_eq(j, "{\"schema\":\"rachis/1\",\"id\":\"a\\\"b\\\\c\",\"source\":{\"path\":\"dir/a.txt\",\"record\":1,"
                        "\"format\":\"text\"},\"status\":\"ok\",\"patient\":null,\"date\":null,\"levels\":[],"
                        "\"findings\":[],\"flags\":{\"compression_fracture\":false,\"cord_compression\":false,"
                        "\"soft_tissue_extension\":false,\"metastasis\":false,\"urgent\":false},\"primary\":null,\"sins\":[]}\n");
}

Test(json, finding_fields)
{
    const char *text = "FINDINGS: No cord compression at T4.";
    char *j = json_of(text, strlen(text), 0);
    cr_expect(strstr(j, "\"findings\":[{\"concept\":\"cord_compression\",\"levels\":[\"T4\"],\"assertion\":\"absent\","
                        "\"historical\":false,\"section\":\"findings\",\"span\":[13,29],\"sentence\":[10,36],"
                        "\"text\":\"cord compression\",\"rule\":\"cord:cord-noun\",\"attributes\":{\"structure\":\"cord\","
                        "\"bilsky\":null,\"cord_signal\":null},\"assertion_trigger\":{\"rule\":\"context:no\",\"span\":[10,12]}}]") != NULL,
              "got %s", j);
}

Test(json, error_record)
{
    rachis_input in;
    memset(&in, 0, sizeof in);
    in.id = "x.txt";
    in.path = "d/x.txt";
    const rachis_record *r;
    rachis_scan_error(t_scanner, &in, "io", "d/x.txt: cannot read: Permission denied", -1, &r);
    rachis_buf b = {0};
    rachis_record_to_json(r, RACHIS_JSON_WITH_TEXT, &b);
    cr_expect_str_eq(b.data, "{\"schema\":\"rachis/1\",\"id\":\"x.txt\",\"source\":{\"path\":\"d/x.txt\",\"record\":1,"
                             "\"format\":\"text\"},\"status\":\"error\",\"error\":{\"code\":\"io\",\"message\":\"d/x.txt: "
                             "cannot read: Permission denied\",\"offset\":null},\"patient\":null,\"date\":null,\"levels\":[],"
                             "\"findings\":[],\"flags\":{\"compression_fracture\":false,\"cord_compression\":false,"
                             "\"soft_tissue_extension\":false,\"metastasis\":false,\"urgent\":false},\"primary\":null,\"sins\":[]}\n");
    rachis_buf_free(&b);
}
