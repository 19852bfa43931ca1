using FnzChain.Node.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FnzChain.Node.Tests.Rpc;

/// <summary>The per-origin budget of refusal log lines, on a clock the test moves.</summary>
public sealed class ClientFaultLogTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Lines : ILogger<ClientFaultLog>
    {
        public List<string> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add(formatter(state, exception));
    }

    [Test]
    public void An_origin_gets_five_lines_a_window_then_one_line_counting_what_was_held_back()
    {
        var (time, lines) = (new ManualTime(), new Lines());
        var log = new ClientFaultLog(lines, time);

        for (var i = 0; i < 12; i++)
        {
            log.Refused("/gateway.Gateway/Evaluate", "ipv4:10.0.0.7:5000" + i, StatusCode.InvalidArgument, "proposed_transaction is missing");
        }

        Assert.That(lines.Written, Has.Count.EqualTo(ClientFaultLog.LinesPerWindow));
        Assert.That(log.Suppressed, Is.EqualTo(7));

        time.Now += ClientFaultLog.Window;
        log.Refused("/gateway.Gateway/Evaluate", "ipv4:10.0.0.7:6000", StatusCode.InvalidArgument, "proposed_transaction is missing");

        Assert.That(lines.Written, Has.Count.EqualTo(ClientFaultLog.LinesPerWindow + 2));
        Assert.That(lines.Written[^2], Is.EqualTo("7 more refused requests from 10.0.0.7 in the last 10 s were not logged"));
        Assert.That(lines.Written[^1], Is.EqualTo("/gateway.Gateway/Evaluate from ipv4:10.0.0.7:6000 refused: InvalidArgument proposed_transaction is missing"));
    }

    [Test]
    public void Another_origin_has_its_own_budget()
    {
        var lines = new Lines();
        var log = new ClientFaultLog(lines, new ManualTime());

        for (var i = 0; i < 20; i++)
        {
            log.Refused("m", "ipv4:10.0.0.7:5000", StatusCode.PermissionDenied, "flood");
        }

        log.Refused("m", "ipv4:10.0.0.8:5000", StatusCode.PermissionDenied, "honest mistake");

        Assert.That(lines.Written[^1], Does.EndWith("honest mistake"));
    }

    [TestCase("ipv4:127.0.0.1:5000", "127.0.0.1")]
    [TestCase("ipv6:[::1]:5000", "[::1]")]
    [TestCase("ipv6:[fe80::1]:443", "[fe80::1]")]
    [TestCase("unix:/tmp/socket", "unix:/tmp/socket")]
    [TestCase("", "")]
    public void The_origin_is_the_address_without_the_port(string peer, string origin) =>
        Assert.That(ClientFaultLog.OriginOf(peer), Is.EqualTo(origin));
}
