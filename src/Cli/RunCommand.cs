using System.CommandLine;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Cli;

/// <summary>
/// <c>actorvisor run SCENARIO.conf [--seed N]</c>: runs a multi-domain scenario on the actor tree
/// under the deterministic dispatcher, prints each console line prefixed by its domain, then a
/// summary table and the checks. Exit code 0 when every check holds, 1 when one fails, 2 when
/// the scenario cannot be loaded or run.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var scenario = new Argument<FileInfo>("SCENARIO") { Description = "A scenario file (HOCON, see docs/configuration.md)." };
        var seed = new Option<long?>("--seed") { Description = "Overrides the scenario's seed; equal seeds print identical runs." };
        var command = new Command("run", "Run a multi-domain scenario and check its outcome.") { scenario, seed };
        command.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(scenario)!;
            var loaded = ScenarioLoader.LoadFile(file.FullName);
            if (!loaded.IsSuccess)
            {
                Console.Error.WriteLine(loaded.ErrorText);
                return 2;
            }

            var outcome = ScenarioRunner.Run(loaded.Value!, parseResult.GetValue(seed), Console.WriteLine);
            if (outcome.Error is not null)
            {
                Console.Error.WriteLine($"actorvisor: {outcome.Error}");
                return 2;
            }

            Console.WriteLine();
            Console.Write(SummaryTable.Render(outcome));
            return outcome.Passed ? 0 : 1;
        });
        return command;
    }
}
