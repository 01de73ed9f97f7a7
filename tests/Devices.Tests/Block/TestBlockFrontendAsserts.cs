using Xunit;

namespace ActorVisor.Devices.Tests.Block;

/// <summary>Assertions over a <see cref="TestBlockFrontend"/> (kept apart so the benchmark can link the front-end without xunit).</summary>
public static class TestBlockFrontendAsserts
{
    /// <summary>The single response to the single request just sent.</summary>
    public static TestBlockFrontend.Response TakeOnlyResponse(this TestBlockFrontend front) => Assert.Single(front.TakeResponses());
}
