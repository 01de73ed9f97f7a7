using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class AskTests : ActorTestKit
{
    [Fact]
    public void Ask_returns_the_reply()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));

        Assert.Equal("ping", AwaitResult(echo.Ask<string>("ping", TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void Ask_timeout_names_the_target_and_the_message_type()
    {
        var silent = ActorOf(Props.Create(() => new Silent()), "silent");

        var task = AwaitCompletion(silent.Ask<string>(new GetCount(), TimeSpan.FromSeconds(2)), TimeSpan.FromSeconds(5));

        var error = Assert.IsType<AskTimeoutException>(task.Exception!.InnerException);
        Assert.Contains("/user/silent", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(GetCount), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ask_does_not_time_out_before_its_virtual_deadline()
    {
        var silent = ActorOf(Props.Create(() => new Silent()));
        var task = silent.Ask<string>("never answered", TimeSpan.FromSeconds(2));

        AdvanceTime(TimeSpan.FromMilliseconds(1999));
        Assert.False(task.IsCompleted);
        AdvanceTime(TimeSpan.FromMilliseconds(1));
        Assert.True(task.IsFaulted);
    }

    [Fact]
    public void A_Status_Failure_reply_fails_the_ask_with_its_cause()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));

        var task = AwaitCompletion(echo.Ask<string>(new Status.Failure(new ArgumentException("bad input"))));

        Assert.Equal("bad input", Assert.IsType<ArgumentException>(task.Exception!.InnerException).Message);
    }

    [Fact]
    public void Ask_of_a_stopped_actor_times_out_and_the_question_is_a_dead_letter()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));
        Sys.Stop(echo);
        RunUntilIdle();
        var before = Sys.DeadLetterCount;

        var task = AwaitCompletion(echo.Ask<string>("anyone?", TimeSpan.FromSeconds(1)));

        Assert.IsType<AskTimeoutException>(task.Exception!.InnerException);
        Assert.Equal(before + 1, Sys.DeadLetterCount);
    }
}
