namespace ActorVisor.Config.Tests;

public class IncludeTests
{
    [Fact]
    public void Include_is_relative_to_the_including_file_and_later_fields_override_it()
    {
        using var dir = new TempDir();
        dir.Write("sub/base.conf", "a = 1\nb = 2\nobj { x = 1 }");
        var main = dir.Write("main.conf", "include \"sub/base.conf\"\nb = 3\nobj { y = 2 }");
        var c = ConfigFactory.ParseFile(main, Parse.NoEnvironment);
        Assert.Equal(1, c.GetInt("a"));
        Assert.Equal(3, c.GetInt("b"));
        Assert.Equal(1, c.GetInt("obj.x"));
        Assert.Equal(2, c.GetInt("obj.y"));
    }

    [Fact]
    public void Include_of_a_nested_file_is_relative_to_that_file()
    {
        using var dir = new TempDir();
        dir.Write("one/two/leaf.conf", "leaf = yes");
        dir.Write("one/mid.conf", "include \"two/leaf.conf\"");
        var main = dir.Write("main.conf", "include file(\"one/mid.conf\")");
        Assert.True(ConfigFactory.ParseFile(main, Parse.NoEnvironment).GetBoolean("leaf"));
    }

    [Fact]
    public void Include_without_extension_finds_the_conf_file()
    {
        using var dir = new TempDir();
        dir.Write("defaults.conf", "x = 5");
        var main = dir.Write("main.conf", "include \"defaults\"");
        Assert.Equal(5, ConfigFactory.ParseFile(main, Parse.NoEnvironment).GetInt("x"));
    }

    [Fact]
    public void A_missing_include_is_skipped_but_a_required_one_is_an_error()
    {
        using var dir = new TempDir();
        var optional = dir.Write("a.conf", "include \"nothere.conf\"\nx = 1");
        Assert.Equal(1, ConfigFactory.ParseFile(optional, Parse.NoEnvironment).GetInt("x"));
        var required = dir.Write("b.conf", "x = 1\ninclude required(\"nothere.conf\")");
        var result = ConfigFactory.TryParseFile(required, Parse.NoEnvironment);
        var error = Assert.Single(result.Errors);
        Assert.Equal(2, error.Origin.Line);
        Assert.Equal(1, error.Origin.Column);
        Assert.Contains("nothere.conf", error.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_file_form_reads_the_file()
    {
        using var dir = new TempDir();
        dir.Write("r.conf", "r = 1");
        var main = dir.Write("main.conf", "include required(file(\"r.conf\"))");
        Assert.Equal(1, ConfigFactory.ParseFile(main, Parse.NoEnvironment).GetInt("r"));
    }

    [Fact]
    public void Include_inside_an_object_nests_its_fields_and_its_substitutions()
    {
        using var dir = new TempDir();
        dir.Write("part.conf", "size = 10\ndouble = ${size}\"0\"");
        var main = dir.Write("main.conf", "web { include \"part.conf\" }\nsize = 999");
        var c = ConfigFactory.ParseFile(main, Parse.NoEnvironment);
        Assert.Equal(10, c.GetInt("web.size"));
        Assert.Equal("100", c.GetString("web.double"));
    }

    [Fact]
    public void An_include_cycle_is_reported_with_the_files()
    {
        using var dir = new TempDir();
        dir.Write("a.conf", "include \"b.conf\"");
        dir.Write("b.conf", "include \"a.conf\"");
        var result = ConfigFactory.TryParseFile(System.IO.Path.Combine(dir.FullName, "a.conf"), Parse.NoEnvironment);
        Assert.Contains("include cycle: a.conf -> b.conf -> a.conf", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_inside_an_included_file_name_that_file()
    {
        using var dir = new TempDir();
        dir.Write("bad.conf", "ok = 1\nbroken = [1, 2");
        var main = dir.Write("main.conf", "include \"bad.conf\"");
        var error = Assert.Single(ConfigFactory.TryParseFile(main, Parse.NoEnvironment).Errors);
        Assert.EndsWith("bad.conf", error.Origin.File, StringComparison.Ordinal);
        Assert.Equal(2, error.Origin.Line);
    }

    [Fact]
    public void Classpath_include_reads_the_embedded_reference_conf()
    {
        var c = Parse.Text("include classpath(\"reference.conf\")\nactorvisor.machine.physical-cpus = 8");
        Assert.Equal(8, c.GetInt("actorvisor.machine.physical-cpus"));
        Assert.Equal("deterministic", c.GetString("actorvisor.time.mode"));
    }

    [Fact]
    public void Url_include_is_refused_with_a_located_error()
    {
        var e = Parse.Error("include url(\"http://example.com/x.conf\")");
        Assert.Equal(1, e.Origin.Line);
        Assert.Contains("url", e.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_named_include_can_be_written_quoted()
    {
        var c = Parse.Text("\"include\" = 5");
        Assert.Equal(5, c.GetInt("include"));
    }
}
