using System.Net;
using System.Security.Cryptography.X509Certificates;
using FnzChain.Protos.Common;
using FnzChain.Protos.Orderer;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FnzChain.HostileInputTests.Blocks;

/// <summary>
/// An orderer's Deliver, hosted in the test process on a loopback port, serving blocks the test appended (signed
/// with the real orderer's key): the only way to hand a peer a block the real orderer would refuse to cut.
/// Broadcast is not served. Streams wait for blocks not appended yet, as an orderer's do.
/// </summary>
internal sealed class FakeOrderer : AtomicBroadcast.AtomicBroadcastBase, IAsyncDisposable
{
    private readonly List<Block> _blocks = [];
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOrderer(X509Certificate2? tlsCertificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            if (tlsCertificate is not null)
            {
                l.UseHttps(tlsCertificate);
            }
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<FakeOrderer>();
    }

    public string Address { get; private set; } = string.Empty;

    /// <summary>How many Deliver streams peers opened (each pull attempt opens one).</summary>
    public int Streams { get; private set; }

    /// <summary>Starts the fake orderer; with a TLS certificate and key (PEM files: the real orderer's) it speaks TLS as the real one does.</summary>
    public static async Task<FakeOrderer> StartAsync(string? tlsCertificateFile = null, string? tlsKeyFile = null)
    {
        var orderer = new FakeOrderer(tlsCertificateFile is null ? null : X509Certificate2.CreateFromPemFile(tlsCertificateFile, tlsKeyFile));
        await orderer._app.StartAsync();
        orderer.Address = new Uri(orderer._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Authority;
        return orderer;
    }

    public void Append(Block block)
    {
        TaskCompletionSource appended;
        lock (_blocks)
        {
            _blocks.Add(block);
            (appended, _appended) = (_appended, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        appended.SetResult();
    }

    public override async Task Deliver(IAsyncStreamReader<Envelope> requestStream, IServerStreamWriter<DeliverResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        Streams++;
        // Streams end when the test stops this server, rather than holding its shutdown until a grace period ends.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _stopping.Token);
        var cancellationToken = linked.Token;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            return;
        }

        var seek = SeekInfo.Parser.ParseFrom(Payload.Parser.ParseFrom(requestStream.Current.Payload).Data);
        var next = seek.Start.TypeCase == SeekPosition.TypeOneofCase.Specified ? seek.Start.Specified.Number : 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Block? block;
            Task appended;
            lock (_blocks)
            {
                block = next < (ulong)_blocks.Count ? _blocks[(int)next] : null;
                appended = _appended.Task;
            }

            if (block is null)
            {
                await appended.WaitAsync(cancellationToken);
                continue;
            }

            await responseStream.WriteAsync(new DeliverResponse { Block = block }, cancellationToken);
            next++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
