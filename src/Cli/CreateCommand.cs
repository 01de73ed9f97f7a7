using System.CommandLine;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Cli;

/// <summary>
/// <c>actorvisor create FILE.cfg [-c]</c>: builds one domain from an xl.cfg file, as xl does, and
/// runs it on the actor tree until it shuts down or the timeout passes. There is no background
/// daemon to hand the domain to, so the command stays with it: with <c>-c</c> the domain's console
/// is attached (printed as the guest writes it); without, only the toolstack's lines and the
/// summary are printed. Exit code: poweroff 0, crash 1, other shutdowns 2, still running at the
/// timeout 124, a configuration or kernel refused 126.
/// </summary>
public static class CreateCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE.cfg") { Description = "An xl.cfg domain configuration (see docs/configuration.md)." };
        var attach = new Option<bool>("-c", "--console") { Description = "Attach to the domain's console." };
        var timeout = new Option<string>("--timeout") { Description = "Stop after this long of guest virtual time, e.g. 10s or 500ms.", DefaultValueFactory = _ => "10s" };
        var seed = new Option<long>("--seed") { Description = "Seed of the run's free choices; equal seeds print identical runs.", DefaultValueFactory = _ => 0 };
        var command = new Command("create", "Create a domain from an xl.cfg file and run it.") { file, attach, timeout, seed };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file)!.FullName;
            if (!BootCommand.TryParseDuration(parseResult.GetValue(timeout)!, out var limit))
            {
                Console.Error.WriteLine($"--timeout: cannot read '{parseResult.GetValue(timeout)}' (use e.g. 10s or 500ms)");
                return Refused;
            }

            Console.Error.WriteLine($"Parsing config from {path}");
            var loaded = XlConfigLoader.LoadFile(path);
            if (!loaded.IsSuccess)
            {
                Console.Error.WriteLine(loaded.ErrorText);
                return Refused;
            }

            foreach (var warning in loaded.Value!.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }

            var domain = loaded.Value.Domain;
            var spec = SingleDomainScenario.Create(domain, path, (long)limit.TotalNanoseconds, parseResult.GetValue(seed));
            bool attached = parseResult.GetValue(attach);
            string consolePrefix = $"[{domain.Name}] ";
            var outcome = ScenarioRunner.Run(spec, output: line =>
            {
                if (line.StartsWith(consolePrefix, StringComparison.Ordinal))
                {
                    if (attached)
                    {
                        Console.WriteLine(line[consolePrefix.Length..]);
                    }
                }
                else
                {
                    Console.Error.WriteLine(line);
                }
            });
            if (outcome.Error is not null)
            {
                Console.Error.WriteLine($"actorvisor: {outcome.Error}");
                return Refused;
            }

            Console.Error.WriteLine();
            Console.Error.Write(SummaryTable.Render(outcome));
            return ExitCode(outcome.Domains.Single(d => d.Name == domain.Name));
        });
        return command;
    }

    private const int Refused = 126;

    /// <summary>The exit code for how the domain ended, matching <c>actorvisor boot</c>'s.</summary>
    public static int ExitCode(DomainInfo domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.ExitReason switch
        {
            null => 124,
            "poweroff" => 0,
            var reason when reason.StartsWith("crash", StringComparison.Ordinal) || reason.StartsWith("host fault", StringComparison.Ordinal) => 1,
            _ => 2,
        };
    }
}
