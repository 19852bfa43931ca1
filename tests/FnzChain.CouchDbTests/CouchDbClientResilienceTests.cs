using System.Net;
using System.Net.Sockets;
using System.Text;
using FnzChain.Ledger.State.CouchDb;

namespace FnzChain.CouchDbTests;

/// <summary>
/// The client's resilience pipeline against an HTTP server that answers what each test scripts (5xx, 4xx, silence):
/// pouchdb-server cannot be made to answer 503 or to hang, a real CouchDB neither on demand.
/// </summary>
[Category("CouchDb")]
public sealed class CouchDbClientResilienceTests
{
    [Test]
    public async Task Server_error_is_retried_and_a_later_success_is_returned()
    {
        await using var server = ScriptedServer.Start(503, 500, 200);
        using var client = new CouchDbClient(Options(server, maxRetries: 3));

        var version = await client.GetServerVersionAsync();

        Assert.That(version, Is.EqualTo("3.3.3"));
        Assert.That(server.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task Server_error_that_persists_fails_in_one_line_after_every_attempt()
    {
        await using var server = ScriptedServer.Start(503, 503, 503);
        using var client = new CouchDbClient(Options(server, maxRetries: 2));

        var e = Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync());

        Assert.That(e!.Message, Is.EqualTo("CouchDB server_info failed: server error after 3 attempt(s) (503 internal_server_error: scripted)"));
        Assert.That(e.IsTransient, Is.True);
        Assert.That(server.Requests, Is.EqualTo(3));
    }

    [Test]
    public async Task Client_error_is_not_retried()
    {
        await using var server = ScriptedServer.Start(409, 200);
        using var client = new CouchDbClient(Options(server, maxRetries: 3));

        var e = Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync());

        Assert.That(e!.Message, Does.Contain("document update conflict (409"));
        Assert.That(server.Requests, Is.EqualTo(1));
    }

    [Test]
    public async Task Attempt_without_an_answer_times_out_and_is_retried()
    {
        await using var server = ScriptedServer.Start(0, 0);
        var options = Options(server, maxRetries: 1);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        using var client = new CouchDbClient(options);

        var e = Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync());

        Assert.That(e!.Message, Is.EqualTo($"CouchDB server_info failed: {options.Address} no answer within 0.3 s after 2 attempt(s)"));
        Assert.That(server.Requests, Is.EqualTo(2));
    }

    [Test]
    public async Task Repeated_failures_open_the_circuit_and_later_requests_are_refused_without_trying()
    {
        await using var server = ScriptedServer.Start([.. Enumerable.Repeat(503, 20)]);
        var options = Options(server, maxRetries: 0);
        options.CircuitBreakDuration = TimeSpan.FromSeconds(30);
        using var client = new CouchDbClient(options);

        string? last = null;
        for (var i = 0; i < 12 && last?.Contains("circuit is open", StringComparison.Ordinal) != true; i++)
        {
            last = Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync())!.Message;
        }

        var sent = server.Requests;
        var refused = Assert.ThrowsAsync<CouchDbException>(async () => await client.GetServerVersionAsync());

        Assert.That(last, Does.Contain("refused without trying: the circuit is open after repeated failures"));
        Assert.That(refused!.Message, Is.EqualTo($"CouchDB server_info failed: {options.Address} refused without trying: the circuit is open after repeated failures"));
        Assert.That(server.Requests, Is.EqualTo(sent), "an open circuit sends nothing");
    }

    private static CouchDbOptions Options(ScriptedServer server, int maxRetries) => new()
    {
        Address = server.Address,
        MaxRetries = maxRetries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
    };

    /// <summary>
    /// Answers the n-th request with the n-th scripted status (CouchDB's JSON shapes); 0 means never answer. Requests
    /// beyond the script get 200.
    /// </summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int[] _script;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        private ScriptedServer(int[] script)
        {
            _script = script;
            var port = FreePort();
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _loop = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static ScriptedServer Start(params int[] script) => new(script);

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var n = Interlocked.Increment(ref _requests) - 1;
                var status = n < _script.Length ? _script[n] : 200;
                if (status == 0)
                {
                    continue; // never answered; the listener's disposal drops it
                }

                var body = status == 200
                    ? """{"couchdb":"Welcome","version":"3.3.3"}"""
                    : status >= 500 ? """{"error":"internal_server_error","reason":"scripted"}""" : """{"error":"conflict","reason":"scripted"}""";
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Abort();
            await _loop;
            _stop.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
