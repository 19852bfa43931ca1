using FnzChain.Node.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FnzChain.Node.Tests.Audit;

/// <summary>The queue in front of the audit files: bounded, refusing when full, written in the background, flushed at stop.</summary>
public sealed class AuditTrailTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("fnzchain-audit-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private AuditTrail Trail(int capacity = 16, int waitMilliseconds = 50) =>
        new(_folder, new AuditOptions { QueueCapacity = capacity, QueueWaitMilliseconds = waitMilliseconds }, TimeProvider.System, NullLogger<AuditTrail>.Instance);

    private static AuditRecord Record(int n) => new() { Time = DateTimeOffset.UtcNow, Method = "/x/Y", TxId = $"tx{n}", GrpcStatus = "OK", DurationMs = 0 };

    [Test]
    public async Task Every_record_queued_before_stop_is_written_and_the_chain_verifies()
    {
        var trail = Trail(capacity: 1000);
        trail.Start();
        for (var i = 0; i < 500; i++)
        {
            Assert.That(await trail.TryReserveAsync(CancellationToken.None), Is.True);
            trail.Append(Record(i));
        }

        await trail.DisposeAsync();

        var result = AuditVerifier.Verify(_folder);
        Assert.That(result.IsIntact, Is.True, result.Message);
        Assert.That(result.Lines, Is.EqualTo(501));
    }

    [Test]
    public async Task A_full_queue_refuses_after_the_wait_and_room_returns_once_records_are_written()
    {
        var trail = Trail(capacity: 16);
        trail.Start();
        for (var i = 0; i < 16; i++)
        {
            Assert.That(await trail.TryReserveAsync(CancellationToken.None), Is.True);
        }

        var refused = await trail.TryReserveAsync(CancellationToken.None);
        for (var i = 0; i < 16; i++)
        {
            trail.Append(Record(i)); // requests in progress end; the writer frees their room
        }

        var again = await new Func<Task<bool>>(async () =>
        {
            var until = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < until)
            {
                if (await trail.TryReserveAsync(CancellationToken.None))
                {
                    return true;
                }
            }

            return false;
        })();

        Assert.That(refused, Is.False);
        Assert.That(again, Is.True);
        Assert.That(trail.RefusalReason, Is.EqualTo("the audit trail is 16 records behind; retry later"));
        trail.Release();
        await trail.DisposeAsync();
    }

    [Test]
    public async Task A_writer_that_fails_other_than_on_the_file_system_stops_fail_closed_with_one_critical_line_and_a_red_healthz()
    {
        var lines = new Lines();
        var trail = new AuditTrail(_folder, new AuditOptions { QueueCapacity = 16, QueueWaitMilliseconds = 50 }, TimeProvider.System, lines);
        trail.Start();
        Assert.That(FnzChain.Node.Operations.OperationsEndpoint.Health([], trail).Status, Is.EqualTo("OK"));
        Assert.That(await trail.TryReserveAsync(CancellationToken.None), Is.True);

        trail.Append(Record(1) with { DurationMs = double.NaN }); // JSON has no NaN: the line writer throws ArgumentException

        var until = DateTime.UtcNow.AddSeconds(10);
        while (trail.Fault is null && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        var refused = await trail.TryReserveAsync(CancellationToken.None);
        var health = FnzChain.Node.Operations.OperationsEndpoint.Health([], trail);
        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.False, "a request the node cannot audit is refused");
            Assert.That(trail.RefusalReason, Does.StartWith("the audit trail cannot be written (the audit writer stopped on ArgumentException: ").And.EndWith("requests are refused until the node is restarted"));
            Assert.That(health.Status, Is.EqualTo("unavailable"));
            Assert.That(health.FailedChecks, Is.EqualTo(new[] { $"audit: {trail.RefusalReason}" }));
            Assert.That(lines.Written, Has.Count.EqualTo(1), string.Join("\n", lines.Written));
            Assert.That(lines.Written[0], Does.StartWith($"Critical: Audit trail in {_folder}: the audit writer stopped on ArgumentException: ").And.Contain("1 queued records were not written"));
        });
        await trail.DisposeAsync();
    }

    private sealed class Lines : ILogger<AuditTrail>
    {
        public List<string> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Written.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
