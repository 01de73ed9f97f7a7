using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Tests;

public class TypedGetterTests
{
    [Theory]
    [InlineData("30ms", 30_000_000L)]
    [InlineData("10 s", 10_000_000_000L)]
    [InlineData("1 minute", 60_000_000_000L)]
    [InlineData("2m", 120_000_000_000L)]
    [InlineData("1.5h", 5_400_000_000_000L)]
    [InlineData("3 days", 259_200_000_000_000L)]
    [InlineData("250us", 250_000L)]
    [InlineData("7ns", 7L)]
    [InlineData("5 nanoseconds", 5L)]
    [InlineData("12 millis", 12_000_000L)]
    [InlineData("100", 100_000_000L)]
    public void Durations_take_every_unit_of_the_spec(string text, long nanos)
    {
        var c = Parse.Text($"d = {text}");
        Assert.Equal(nanos, c.GetDurationNanoseconds("d"));
        Assert.Equal(TimeSpan.FromTicks(nanos / 100), c.GetDuration("d"));
        Assert.Equal(c.GetDuration("d"), c.GetTimeSpan("d"));
    }

    [Theory]
    [InlineData("128M", 128L * 1024 * 1024)]
    [InlineData("1 GiB", 1L << 30)]
    [InlineData("512KiB", 512L * 1024)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1 gigabyte", 1_000_000_000L)]
    [InlineData("2 gibibytes", 2L << 30)]
    [InlineData("10kB", 10_000L)]
    [InlineData("10k", 10_240L)]
    [InlineData("3Mi", 3L << 20)]
    [InlineData("1 TB", 1_000_000_000_000L)]
    [InlineData("1T", 1L << 40)]
    [InlineData("1 EiB", 1L << 60)]
    [InlineData("100", 100L)]
    [InlineData("64 bytes", 64L)]
    [InlineData("1.5K", 1536L)]
    public void Byte_sizes_take_si_and_iec_units(string text, long bytes)
    {
        Assert.Equal(bytes, Parse.Text($"s = {text}").GetByteSize("s"));
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("12 parsecs")]
    [InlineData("-1M")]
    [InlineData("16EiB")]
    [InlineData("1KB")]
    public void A_size_that_is_not_one_is_a_located_error_naming_an_example(string text)
    {
        var c = Parse.Text($"domains.web {{\n    memory = {text}\n}}");
        var e = Assert.Throws<ConfigException>(() => c.GetByteSize("domains.web.memory")).Error;
        Assert.Equal(new ConfigOrigin("test.conf", 2, 14), e.Origin);
        Assert.Equal($"test.conf:2:14: domains.web.memory: expected a size such as 128M, 1 GiB or 512KiB, found {new HoconScalar(HoconScalarKind.String, text, default).Describe()}", e.ToString());
    }

    [Fact]
    public void A_bad_duration_names_the_units()
    {
        var e = Assert.Throws<ConfigException>(() => Parse.Text("t = 5 fortnights").GetDuration("t")).Error;
        Assert.Equal("a duration such as 30ms, 10 s or 1 minute", e.Expected);
        Assert.Equal("\"5 fortnights\"", e.Found);
    }

    [Fact]
    public void Numbers_convert_from_quoted_strings_and_reject_fractions_for_integers()
    {
        var c = Parse.Text("a = \"10\"\nb = 2.5\nc = 3000000000\nd = 1e2");
        Assert.Equal(10, c.GetInt("a"));
        Assert.Equal(2.5, c.GetDouble("b"));
        Assert.Equal(3_000_000_000L, c.GetLong("c"));
        Assert.Equal(100, c.GetInt("d"));
        Assert.Equal("a whole number", Assert.Throws<ConfigException>(() => c.GetInt("b")).Error.Expected);
        Assert.Contains("between", Assert.Throws<ConfigException>(() => c.GetInt("c")).Error.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Booleans_accept_yes_no_on_off()
    {
        var c = Parse.Text("a = yes\nb = off\nc = \"true\"\nd = maybe");
        Assert.True(c.GetBoolean("a"));
        Assert.False(c.GetBoolean("b"));
        Assert.True(c.GetBoolean("c"));
        Assert.Equal("true or false", Assert.Throws<ConfigException>(() => c.GetBoolean("d")).Error.Expected);
    }

    [Fact]
    public void Lists_of_each_type()
    {
        var c = Parse.Text("s = [a, \"b c\", 3]\ni = [1, 2]\nd = [1s, 5ms]\nz = [1K, 2M]\nb = [true, no]\nl = [1, 9999999999]");
        Assert.Equal(["a", "b c", "3"], c.GetStringList("s"));
        Assert.Equal([1, 2], c.GetIntList("i"));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5)], c.GetDurationList("d"));
        Assert.Equal([1024L, 2L << 20], c.GetByteSizeList("z"));
        Assert.Equal([true, false], c.GetBooleanList("b"));
        Assert.Equal([1L, 9_999_999_999L], c.GetLongList("l"));
    }

    [Fact]
    public void A_wrong_list_element_names_its_index()
    {
        var c = Parse.Text("i = [1, x, 3]");
        var e = Assert.Throws<ConfigException>(() => c.GetIntList("i")).Error;
        Assert.Equal("i[1]", e.Path);
        Assert.Equal(new ConfigOrigin("test.conf", 1, 9), e.Origin);
    }

    [Fact]
    public void Nested_objects_become_configs_whose_errors_name_the_full_path()
    {
        var c = Parse.Text("a { b { c = x } }\nlist = [{ n = 1 }, { n = 2 }]");
        var b = c.GetConfig("a.b");
        Assert.Equal("x", b.GetString("c"));
        var e = Assert.Throws<ConfigException>(() => b.GetInt("c")).Error;
        Assert.Equal("a.b.c", e.Path);
        Assert.Equal([1, 2], c.GetConfigList("list").Select(x => x.GetInt("n")));
    }

    [Fact]
    public void A_missing_path_says_so_and_asking_an_object_for_a_string_says_what_was_found()
    {
        var c = Parse.Text("a { b = 1 }");
        var missing = Assert.Throws<ConfigException>(() => c.GetString("a.nope")).Error;
        Assert.Equal("a.nope", missing.Path);
        Assert.Contains("missing", missing.Found, StringComparison.Ordinal);
        var wrong = Assert.Throws<ConfigException>(() => c.GetString("a")).Error;
        Assert.Equal("an object", wrong.Found);
    }

    [Fact]
    public void HasPath_is_false_for_missing_and_null_and_true_for_values()
    {
        var c = Parse.Text("a { b = 1, n = null }");
        Assert.True(c.HasPath("a"));
        Assert.True(c.HasPath("a.b"));
        Assert.False(c.HasPath("a.n"));
        Assert.False(c.HasPath("a.b.c"));
        Assert.False(c.HasPath("x"));
    }
}
