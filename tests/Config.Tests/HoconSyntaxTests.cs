using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Tests;

public class HoconSyntaxTests
{
    [Fact]
    public void Comments_with_hash_and_double_slash_are_ignored()
    {
        var c = Parse.Text("# a comment\na = 1 // trailing\n// whole line\nb = \"# not a comment\"");
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal("# not a comment", c.GetString("b"));
        Assert.Equal(["a", "b"], c.Keys);
    }

    [Fact]
    public void Root_braces_are_optional()
    {
        var braced = Parse.Text("{ a = 1, b { c = 2 } }");
        var bare = Parse.Text("a = 1\nb { c = 2 }");
        Assert.Equal(braced.ToJson(), bare.ToJson());
        Assert.Equal(2, bare.GetInt("b.c"));
    }

    [Fact]
    public void Colon_equals_and_no_separator_before_an_object_all_assign()
    {
        var c = Parse.Text("a : 1\nb = 2\nc { d = 3 }\ne: { f = 4 }");
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal(2, c.GetInt("b"));
        Assert.Equal(3, c.GetInt("c.d"));
        Assert.Equal(4, c.GetInt("e.f"));
    }

    [Fact]
    public void Fields_are_separated_by_commas_or_newlines_and_a_trailing_comma_is_allowed()
    {
        var c = Parse.Text("a = 1, b = 2,\nc = 3\nd = [1, 2, 3,]\ne = [\n 4\n 5\n]");
        Assert.Equal(3, c.GetInt("c"));
        Assert.Equal([1, 2, 3], c.GetIntList("d"));
        Assert.Equal([4, 5], c.GetIntList("e"));
    }

    [Fact]
    public void Two_commas_in_a_row_are_an_error_at_the_second()
    {
        var e = Parse.Error("a = [1,,2]");
        Assert.Equal(new ConfigOrigin("test.conf", 1, 8), e.Origin);
        Assert.Contains("a list element after ','", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Quoted_strings_use_json_escapes()
    {
        var c = Parse.Text("""a = "tab\there \"q\" \\ \u0041 \/" """);
        Assert.Equal("tab\there \"q\" \\ A /", c.GetString("a"));
    }

    [Fact]
    public void Unquoted_strings_may_hold_dots_slashes_and_dashes()
    {
        var c = Parse.Text("kernel = guests/build/hello.elf\nmode = round-robin");
        Assert.Equal("guests/build/hello.elf", c.GetString("kernel"));
        Assert.Equal("round-robin", c.GetString("mode"));
    }

    [Fact]
    public void Triple_quoted_strings_span_lines_keep_escapes_raw_and_extra_closing_quotes()
    {
        var c = Parse.Text("a = \"\"\"line 1\nline \\n 2 \"quoted\"\"\"\"\"\nb = 1");
        Assert.Equal("line 1\nline \\n 2 \"quoted\"\"", c.GetString("a"));
        Assert.Equal(1, c.GetInt("b"));
        Assert.Equal(3, c.OriginOf("b").Line);
    }

    [Fact]
    public void Numbers_booleans_and_null_are_typed_when_alone()
    {
        var c = Parse.Text("i = 42\nn = -1.5e3\nt = true\nf = false\nz = null\ns = true story");
        Assert.Equal(HoconScalarKind.Number, ((HoconScalar)c.GetValue("i")!).Kind);
        Assert.Equal(-1500.0, c.GetDouble("n"));
        Assert.True(c.GetBoolean("t"));
        Assert.False(c.GetBoolean("f"));
        Assert.False(c.HasPath("z"));
        Assert.NotNull(c.GetValue("z"));
        Assert.Equal("true story", c.GetString("s"));
    }

    [Fact]
    public void Path_expressions_create_nested_objects_and_quoted_keys_keep_their_dots()
    {
        var c = Parse.Text("a.b.c = 1\na.\"b.c\" = 2\n\"x y\".z = 3\n10.5 = ten");
        Assert.Equal(1, c.GetInt("a.b.c"));
        Assert.Equal(2, c.GetInt("a.\"b.c\""));
        Assert.Equal(3, c.GetInt("\"x y\".z"));
        Assert.Equal("ten", c.GetString("10.5"));
    }

    [Fact]
    public void Whitespace_inside_an_unquoted_key_is_kept()
    {
        var c = Parse.Text("foo bar = 1");
        Assert.Equal(1, c.GetInt("\"foo bar\""));
    }

    [Fact]
    public void A_list_at_the_root_is_rejected()
    {
        var e = Parse.Error("[1, 2]");
        Assert.Contains("an object at the top", e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_order_mark_and_crlf_line_ends_are_accepted()
    {
        var c = Parse.Text("\uFEFFa = 1\r\nb = two\r\n");
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal("two", c.GetString("b"));
    }

    [Fact]
    public void Json_documents_parse_unchanged()
    {
        var c = Parse.Text("""{"a": {"b": [1, 2, {"c": null}]}, "d": "e"}""");
        Assert.Equal(3, c.GetList("a.b").Count);
        Assert.Equal("e", c.GetString("d"));
    }

    [Fact]
    public void An_unclosed_object_names_where_it_was_opened()
    {
        var e = Parse.Error("a = 1\nb {\n  c {\n    d = 1\n  }\n");
        Assert.Equal(new ConfigOrigin("test.conf", 6, 1), e.Origin);
        Assert.Equal("'}' to close the object opened at test.conf:2:3", e.Expected);
    }
}
