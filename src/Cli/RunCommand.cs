using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using ActorVisor.Config.Faults;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Cli;

/// <summary>
/// <c>actorvisor run SCENARIO.conf [--seed N] [--parallel | --deterministic] [--trace-digest] [--inject RULE]...</c>: runs a
/// multi-domain scenario on the actor tree, prints each console line prefixed by its domain, then
/// a summary table and the checks. The scenario's <c>actorvisor.time.mode</c> chooses between the
/// deterministic mode (every slice on one thread, reproducible) and the parallel mode (slices on
/// one thread per physical CPU); the flags override it. <c>--trace-digest</c> ends the output with
/// the SHA-256 of the run's delivery trace (every message delivered to a /user actor, in order,
/// with its virtual time), so that two runs can be compared by more than their console.
/// <c>--inject</c> (repeatable) adds a rule of the fault grammar (docs/configuration.md, "Fault
/// injection") to the scenario's plan, seeded like the rest of the run; a refused rule is named
/// with the offset of the word at fault. Exit code 0 when every check holds, 1 when one fails, 2 when
/// the scenario cannot be loaded or run.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var scenario = new Argument<FileInfo>("SCENARIO") { Description = "A scenario file (HOCON, see docs/configuration.md)." };
        var seed = new Option<long?>("--seed") { Description = "Overrides the scenario's seed; equal seeds print identical runs." };
        var parallel = new Option<bool>("--parallel") { Description = "Runs slices on one thread per physical CPU, whatever the scenario's time.mode says." };
        var deterministic = new Option<bool>("--deterministic") { Description = "Runs every slice on one thread, reproducibly, whatever the scenario's time.mode says." };
        var traceDigest = new Option<bool>("--trace-digest") { Description = "Prints the SHA-256 of the delivery trace (every message to a /user actor, in order) after the summary." };
        var inject = new Option<string[]>("--inject") { Description = "Adds a fault rule, e.g. 'storage crash at 2s' or 'storage/vbd-* eio at host-write every 10 requests' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("run", "Run a multi-domain scenario and check its outcome.") { scenario, seed, parallel, deterministic, traceDigest, inject };
        command.SetAction(parseResult =>
        {
            var file = parseResult.GetValue(scenario)!;
            var loaded = ScenarioLoader.LoadFile(file.FullName);
            if (!loaded.IsSuccess)
            {
                Console.Error.WriteLine(loaded.ErrorText);
                return 2;
            }

            var rules = ReadRules(parseResult.GetValue(inject) ?? [], loaded.Value!, out var refused);
            if (refused is not null)
            {
                Console.Error.WriteLine($"actorvisor: {refused}");
                return 2;
            }

            bool? mode = parseResult.GetValue(parallel) ? true : parseResult.GetValue(deterministic) ? false : null;
            using var digest = parseResult.GetValue(traceDigest) ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            long deliveries = 0;
            // Origins in the trace name the scenario's folder; it is left out, so that the digest does not depend on where the checkout is.
            string folder = file.DirectoryName + Path.DirectorySeparatorChar;
            Action<string>? trace = digest is null ? null : line =>
            {
                digest.AppendData(Encoding.UTF8.GetBytes(line.Replace(folder, "", StringComparison.Ordinal) + "\n"));
                deliveries++;
            };
            var outcome = ScenarioRunner.Run(loaded.Value!, parseResult.GetValue(seed), Console.WriteLine, parallel: mode, trace: trace, inject: rules);
            if (outcome.Error is not null)
            {
                Console.Error.WriteLine($"actorvisor: {outcome.Error}");
                return 2;
            }

            Console.WriteLine();
            Console.Write(SummaryTable.Render(outcome));
            if (digest is not null)
            {
                Console.WriteLine($"trace sha256 {Convert.ToHexStringLower(digest.GetHashAndReset())} over {deliveries} deliveries");
            }

            return outcome.Passed ? 0 : 1;
        });
        return command;
    }

    /// <summary>Parses the <c>--inject</c> rules in order; the first refusal, with the flag, the rule and the offset, when one is refused.</summary>
    public static IReadOnlyList<FaultRule> ReadRules(IReadOnlyList<string> texts, ScenarioSpec spec, out string? refused)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(spec);
        refused = null;
        var iopms = spec.Iopms.Count > 0 ? spec.Iopms.Select(i => i.Name).ToList() : [ScenarioLoader.DefaultIopmName];
        var rules = new List<FaultRule>();
        for (int i = 0; i < texts.Count; i++)
        {
            var origin = new Config.ConfigOrigin($"--inject #{i + 1}", 0, 0);
            var rule = FaultSpecParser.Parse(texts[i], $"--inject #{i + 1}", origin, null, out var error);
            if (error is null && !iopms.Any(name => Glob.Matches(rule!.IopmPattern, name)))
            {
                error = new FaultSpecError(texts[i].Length - texts[i].TrimStart().Length, $"an IOPM of the scenario ({string.Join(", ", iopms)})", $"\"{rule!.IopmPattern}\"");
            }

            if (error is not null)
            {
                refused = error.ForFlag("--inject", texts[i]);
                return [];
            }

            rules.Add(rule!);
        }

        return rules;
    }
}
