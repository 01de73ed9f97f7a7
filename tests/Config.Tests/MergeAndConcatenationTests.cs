namespace ActorVisor.Config.Tests;

public class MergeAndConcatenationTests
{
    [Fact]
    public void Duplicate_object_keys_merge_deeply_and_the_later_field_wins()
    {
        var c = Parse.Text("a { x = 1, y { p = 1 } }\na { y { q = 2 }, z = 3 }\na.x = 10");
        Assert.Equal(10, c.GetInt("a.x"));
        Assert.Equal(1, c.GetInt("a.y.p"));
        Assert.Equal(2, c.GetInt("a.y.q"));
        Assert.Equal(3, c.GetInt("a.z"));
    }

    [Fact]
    public void A_non_object_replaces_an_object_and_an_object_replaces_a_non_object()
    {
        var c = Parse.Text("a { x = 1 }\na = 5\nb = 5\nb { y = 2 }");
        Assert.Equal(5, c.GetInt("a"));
        Assert.False(c.HasPath("b.x"));
        Assert.Equal(2, c.GetInt("b.y"));
    }

    [Fact]
    public void Object_set_to_null_then_object_does_not_merge_with_the_first()
    {
        var c = Parse.Text("a { x = 1 }\na = null\na { y = 2 }");
        Assert.False(c.HasPath("a.x"));
        Assert.Equal(2, c.GetInt("a.y"));
    }

    [Fact]
    public void String_concatenation_keeps_the_whitespace_between_values()
    {
        var c = Parse.Text("a = foo  \"bar\" 42 true\nb = x${c}y\nc = -");
        Assert.Equal("foo  bar 42 true", c.GetString("a"));
        Assert.Equal("x-y", c.GetString("b"));
    }

    [Fact]
    public void Array_concatenation_appends()
    {
        var c = Parse.Text("a = [1, 2] [3]\nb = ${a} [4]");
        Assert.Equal([1, 2, 3], c.GetIntList("a"));
        Assert.Equal([1, 2, 3, 4], c.GetIntList("b"));
    }

    [Fact]
    public void Object_concatenation_merges_later_fields_over_earlier()
    {
        var c = Parse.Text("base { a = 1, b = 2 }\nderived = ${base} { b = 3, c = 4 }");
        Assert.Equal(1, c.GetInt("derived.a"));
        Assert.Equal(3, c.GetInt("derived.b"));
        Assert.Equal(4, c.GetInt("derived.c"));
        Assert.Equal(2, c.GetInt("base.b"));
    }

    [Fact]
    public void Plus_equals_appends_to_an_existing_list_or_starts_one()
    {
        var c = Parse.Text("a = [1]\na += 2\na += [3]\nb += x");
        Assert.Equal(3, c.GetList("a").Count);
        Assert.IsType<ActorVisor.Config.Hocon.HoconArray>(c.GetList("a")[2]);
        Assert.Equal(["x"], c.GetStringList("b"));
    }

    [Fact]
    public void Concatenating_a_list_with_a_string_is_a_located_error()
    {
        var e = Parse.Error("a = 1\nb = [1] foo");
        Assert.Equal(2, e.Origin.Line);
        Assert.Equal(5, e.Origin.Column);
        Assert.Equal("b", e.Path);
        Assert.Contains("a list and a string", e.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void Concatenating_an_object_with_a_string_found_by_substitution_is_a_located_error()
    {
        var e = Parse.Error("o { x = 1 }\ns = ${o} tail");
        Assert.Equal(new ConfigOrigin("test.conf", 2, 5), e.Origin);
        Assert.Contains("an object and a string", e.Found, StringComparison.Ordinal);
    }
}
