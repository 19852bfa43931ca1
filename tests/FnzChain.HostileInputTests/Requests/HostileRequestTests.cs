using System.Text.RegularExpressions;
using FnzChain.HostileInputTests.Network;
using FnzChain.HostileInputTests.Wire;
using FnzChain.IntegrationTests;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Peer;
using Grpc.Core;
using Grpc.Net.Client;
using DeliverStatus = FnzChain.Protos.Common.Status;

namespace FnzChain.HostileInputTests.Requests;

/// <summary>
/// Every gRPC method of the peer and the orderer gets a seeded corpus of hostile input (empty, random, truncated,
/// deeply nested, oversized, unsigned, wrongly signed, replayed, mutated) as raw bytes. Each case must be answered with
/// a status that names a cause (never UNKNOWN/INTERNAL) or an in-band rejection; after each method's batch the node
/// still serves a normal request, and its log grew by a bounded amount without stack traces.
/// </summary>
[TestFixture]
[Category("Hostile")]
[NonParallelizable]
public sealed partial class HostileRequestTests
{
    /// <summary>A rejection is one short log line; more per case means logs grow with garbage.</summary>
    private const int MaxLogBytesPerCase = 512;
    private const int Concurrency = 4;
    private readonly CaseTally _tally = new();
    private HostileNetwork _net = null!;

    public static IEnumerable<TestCaseData> Methods() =>
        HostileMethod.All(new ValidRequests(null!)).Select(m => new TestCaseData(m.Node, m.Service, m.Name).SetName($"Hostile_input_to_{m.Node}_{m.Service}_{m.Name}_gets_named_rejections"));

    [OneTimeSetUp]
    public void Attach() => _net = SharedNetwork.Current;

    [OneTimeTearDown]
    public void PrintSummary() => TestContext.Progress.WriteLine($"hostile input summary, {HostileSeed.Reproduce}:\n{_tally.Table()}\nanswers:\n{_tally.Answers()}");

    [TestCaseSource(nameof(Methods))]
    public async Task Hostile_input_gets_named_rejections(string node, string service, string name)
    {
        var method = HostileMethod.All(new ValidRequests(_net)).Single(m => m.Node == node && m.Service == service && m.Name == name);
        var target = node == "orderer" ? _net.Orderer : _net.Peer1;
        var channel = _net.ChannelTo(target);
        var cases = HostileCorpus.Generate(method, new Signing(_net.Stranger), HostileSeed.For(method.Id), HostileNetwork.ReceiveLimit);
        var logBefore = target.Output.Length;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (@case, _) =>
        {
            var outcome = await RawCall.InvokeAsync(channel, method.Method, @case.Bytes, method.Timeout);
            string? problem;
            try
            {
                problem = method.Judge(@case, outcome);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException e)
            {
                problem = $"the answer does not decode: {e.Message}";
            }

            _tally.Add(method.Id, @case.Class, problem is not null, method.Describe(outcome));
            if (problem is not null)
            {
                failures.Add($"{@case}: {problem}: {outcome.Code} \"{Shorten(outcome.Detail)}\"");
            }
        });

        var log = target.Output[Math.Min(logBefore, target.Output.Length)..];
        var traces = StackFrame().Matches(log).Count;
        var bytesPerCase = (double)log.Length / cases.Count;
        var alive = await ServesNormalRequestsAsync(node, channel);
        var report = $"{method.Id}, {HostileSeed.Reproduce}: {failures.Count} of {cases.Count} cases failed";
        TestContext.Progress.WriteLine($"{report}; log +{log.Length} bytes ({bytesPerCase:F0}/case, {traces} stack frames); still serving: {alive ?? "yes"}");
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, $"{report}:\n{string.Join("\n", failures.Order(StringComparer.Ordinal).Take(40))}");
            Assert.That(alive, Is.Null, $"{method.Id}: after the batch the node does not serve a normal request: {alive}");
            Assert.That(traces, Is.Zero, $"{method.Id}: client mistakes logged {traces} stack-trace frames, e.g.\n{Shorten(FirstTrace(log), 1500)}");
            Assert.That(bytesPerCase, Is.LessThanOrEqualTo(MaxLogBytesPerCase), $"{method.Id}: the log grew {log.Length} bytes for {cases.Count} cases");
        });
    }

    /// <summary>Null when the node answers a valid Deliver of block 0 (and, on a peer, a valid Evaluate); otherwise what failed.</summary>
    private async Task<string?> ServesNormalRequestsAsync(string node, GrpcChannel channel)
    {
        var valid = new ValidRequests(_net);
        var signing = new Signing(_net.Stranger).With(SignMode.Valid, new Random(0));
        var deliverMethod = RawCall.Method(CallShape.DuplexStreaming, node == "orderer" ? "orderer.AtomicBroadcast" : "protos.Deliver", "Deliver");
        var deliver = await RawCall.InvokeAsync(channel, deliverMethod, valid.SeekGenesis(signing), TimeSpan.FromSeconds(15));
        var responses = deliver.Responses.Select(r => FnzChain.Protos.Orderer.DeliverResponse.Parser.ParseFrom(r)).ToList(); // same wire fields for block and status
        if (deliver.Code != StatusCode.OK || responses.Count != 2 || responses[0].Block?.Header.Number != 0 || responses[1].Status != DeliverStatus.Success)
        {
            return $"Deliver of block 0: {deliver.Code} \"{deliver.Detail}\", {responses.Count} responses";
        }

        if (node == "orderer")
        {
            return null;
        }

        var evaluate = await RawCall.InvokeAsync(channel, RawCall.Method(CallShape.Unary, "gateway.Gateway", "Evaluate"), valid.Evaluate(signing), TimeSpan.FromSeconds(15));
        return evaluate.Code == StatusCode.OK && EvaluateResponse.Parser.ParseFrom(evaluate.Responses[0]).Result.Status == 200
            ? null
            : $"Evaluate ListFunds: {evaluate.Code} \"{evaluate.Detail}\"";
    }

    private static string Shorten(string text, int length = 240) => text.Length <= length ? text : text[..length] + "…";

    private static string FirstTrace(string log)
    {
        var match = StackFrame().Match(log);
        if (!match.Success)
        {
            return string.Empty;
        }

        var start = log.LastIndexOf('\n', match.Index) + 1;
        return log[start..Math.Min(log.Length, match.Index + 1200)];
    }

    /// <summary>A .NET stack frame, whether the console logger keeps it on its own line or folds it into one.</summary>
    [GeneratedRegex(@"(?:^|\s)at [A-Za-z_][\w.`+<>\[\],]*\(", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
