namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// A fact that needs the host's e2fsprogs (<see cref="Ext4Image.Tools"/>). When they are missing the
/// test runs and fails, saying what to install, unless ACTORVISOR_OFFLINE=1 allows the skip (as
/// test.sh allows the Linux tests to skip only then).
/// </summary>
internal sealed class E2fsprogsFactAttribute : FactAttribute
{
    public E2fsprogsFactAttribute()
    {
        var missing = Ext4Image.MissingTools();
        if (missing.Count > 0 && Environment.GetEnvironmentVariable("ACTORVISOR_OFFLINE") == "1")
        {
            Skip = $"{string.Join(", ", missing)} not installed (e2fsprogs) and ACTORVISOR_OFFLINE=1";
        }
    }
}
