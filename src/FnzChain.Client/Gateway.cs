using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using FnzChain.Protos.Common;
using FnzChain.Protos.Gateway;
using FnzChain.Protos.Orderer;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using DeliverResponse = FnzChain.Protos.Peer.DeliverResponse;
using GatewayClient = FnzChain.Protos.Gateway.Gateway.GatewayClient;

namespace FnzChain.Client;

/// <summary>
/// A connection to a peer's Gateway as one identity, shaped like Fabric's Gateway SDKs:
/// <c>Gateway → Network (channel) → Contract (chaincode) → SubmitAsync / EvaluateAsync</c>.
/// </summary>
/// <example>
/// <code>
/// using var user = ClientIdentity.FromMspFolder(mspFolder, "Org1MSP");
/// using var gateway = Gateway.Connect("127.0.0.1:7051", user);
/// var funds = gateway.GetNetwork("funds").GetContract("funds");
/// await funds.SubmitAsync("CreateFund", "F1", "Global Equity", "101.25", "EUR");
/// var fund = await funds.EvaluateAsync("ReadFund", "F1");
/// </code>
/// </example>
public sealed class Gateway : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<CommitWatcher>> _watchers = new(StringComparer.Ordinal);

    private Gateway(GrpcChannel channel, ClientIdentity identity, GatewayOptions options)
    {
        _channel = channel;
        Identity = identity;
        Options = options;
        Clock = options.Clock;
        Client = new GatewayClient(channel);
    }

    /// <summary>The identity every call is made as.</summary>
    public ClientIdentity Identity { get; }

    internal GatewayClient Client { get; }

    internal GrpcChannel Channel => _channel;

    /// <summary>How long a call may take before it is abandoned (commit waits included); see <see cref="GatewayOptions.Timeout"/>.</summary>
    public TimeSpan Timeout => Options.Timeout;

    /// <summary>How many blocks a commit wait lasts; see <see cref="GatewayOptions.MaxCommitWaitBlocks"/>.</summary>
    public int MaxCommitWaitBlocks => Options.MaxCommitWaitBlocks;

    /// <summary>The options this gateway was connected with.</summary>
    public GatewayOptions Options { get; }

    /// <summary>
    /// The clock that stamps proposals (the transaction time chaincode sees as <c>Stub.Timestamp</c>). The system
    /// clock by default; a simulation or a replay of a business calendar may set another.
    /// </summary>
    public TimeProvider Clock { get; }

    /// <summary>Connects to the peer at <paramref name="address"/> (host:port).</summary>
    public static Gateway Connect(string address, ClientIdentity identity) => Connect(address, identity, new GatewayOptions());

    /// <summary>Connects with a clock for proposal timestamps other than the system's (see <see cref="Clock"/>).</summary>
    public static Gateway Connect(string address, ClientIdentity identity, TimeProvider clock) =>
        Connect(address, identity, new GatewayOptions { Clock = clock });

    /// <summary>Connects with <paramref name="options"/> (timeouts, the commit wait's block limit, the clock).</summary>
    /// <example>
    /// <code>
    /// using var gateway = Gateway.Connect("127.0.0.1:7051", user, new GatewayOptions { MaxCommitWaitBlocks = 5, Timeout = TimeSpan.FromSeconds(30) });
    /// </code>
    /// </example>
    public static Gateway Connect(string address, ClientIdentity identity, GatewayOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        var tls = options.Tls
            ?? (identity.MspFolder is { } folder ? Connections.ClientTls.FromMspFolder(folder) : throw new ArgumentException("GatewayOptions.Tls is required for an identity not loaded from an msp folder", nameof(options)));
        return new Gateway(Connections.GrpcConnections.Open(address, tls, maxReceiveMessageBytes: 64 * 1024 * 1024), identity, options with { Tls = tls });
    }

    /// <summary>A channel.</summary>
    public Network GetNetwork(string channel) => new(this, channel);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var watcher in _watchers.Values.Where(w => w.IsValueCreated))
        {
            watcher.Value.Dispose();
        }

        _channel.Dispose();
    }

    /// <summary>The commit watcher of <paramref name="channel"/>: one filtered block stream per channel, started on first use.</summary>
    internal CommitWatcher Watcher(string channel) =>
        _watchers.GetOrAdd(channel, c => new Lazy<CommitWatcher>(() => new CommitWatcher(this, c))).Value;

    /// <summary>A Deliver request for <paramref name="channel"/>, signed by <see cref="Identity"/>.</summary>
    internal Envelope SeekEnvelope(string channel, SeekInfo seek)
    {
        var nonce = RandomNumberGenerator.GetBytes(24);
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.DeliverSeekInfo,
                    ChannelId = channel,
                    TxId = Convert.ToHexStringLower(SHA256.HashData([.. nonce, .. Identity.Serialized])),
                    Timestamp = Timestamp.FromDateTimeOffset(Clock.GetUtcNow()),
                    // Fabric's binding of a Deliver request to the TLS connection it came on (checked under mutual TLS).
                    TlsCertHash = Options.Tls?.CertificateHash is { } hash ? ByteString.CopyFrom(hash) : ByteString.Empty,
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(Identity.Serialized), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            },
            Data = seek.ToByteString(),
        }.ToByteString();
        return new Envelope { Payload = payload, Signature = ByteString.CopyFrom(Identity.Sign(payload.Span)) };
    }

    internal DateTime Deadline() => DateTime.UtcNow + Timeout;
}

/// <summary>How a <see cref="Gateway"/> waits: call timeout, commit wait, clock.</summary>
public sealed record GatewayOptions
{
    /// <summary>How long a call may take before it is abandoned, commit waits included (default 1 minute).</summary>
    public TimeSpan Timeout
    {
        get;
        init => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the timeout must be positive");
    } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many blocks the gateway's peer may commit after a transaction was submitted without it before the commit
    /// wait gives up with <see cref="TransactionNotCommittedException"/> (default 10). A transaction is normally in
    /// the next block or the one after; one still missing after this many was most likely lost by the orderer, and
    /// resubmitting it is safe.
    /// </summary>
    public int MaxCommitWaitBlocks
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the commit wait needs at least one block");
    } = 10;

    /// <summary>The clock that stamps proposals (see <see cref="Gateway.Clock"/>); the system clock by default.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// How the connection is secured. By default TLS as the identity's msp folder implies
    /// (<see cref="Connections.ClientTls.FromMspFolder"/>: its organisations' TLS CAs, its own TLS client certificate);
    /// <see cref="Connections.ClientTls.Plaintext"/> only for a peer started without TLS.
    /// </summary>
    public Connections.ClientTls? Tls { get; init; }
}

/// <summary>A channel seen through a gateway.</summary>
public sealed class Network
{
    internal Network(Gateway gateway, string name)
    {
        Gateway = gateway;
        Name = name;
    }

    /// <summary>The channel id.</summary>
    public string Name { get; }

    internal Gateway Gateway { get; }

    /// <summary>A chaincode on this channel.</summary>
    public Contract GetContract(string chaincode) => new(this, chaincode);

    /// <summary>
    /// Waits until this gateway's peer has committed transaction <paramref name="transactionId"/> and returns its
    /// outcome. Use it to read your writes on another organisation's peer, which commits blocks on its own clock.
    /// Throws <see cref="TransactionNotCommittedException"/> when the peer commits
    /// <see cref="Gateway.MaxCommitWaitBlocks"/> blocks (after the wait began) without it, or
    /// <see cref="Gateway.Timeout"/> passes; <see cref="GatewayException"/> when the peer refuses the request.
    /// </summary>
    /// <example>
    /// <code>
    /// var status = await otherOrgGateway.GetNetwork("funds").GetCommitStatusAsync(txId);
    /// if (!status.IsSuccessful) Console.WriteLine($"{txId} is {status.Result} in block {status.BlockNumber}");
    /// </code>
    /// </example>
    public async Task<CommitStatus> GetCommitStatusAsync(string transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        var watcher = await WatcherAsync(cancellationToken).ConfigureAwait(false);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waiter = watcher.Register(transactionId, Gateway.MaxCommitWaitBlocks, transaction: null);
        var watched = waiter.WaitAsync(Gateway.Timeout, done.Token);
        // CommitStatus answers at once for a transaction committed before the wait began; the watcher sees later blocks.
        var request = new CommitStatusRequest { TransactionId = transactionId, ChannelId = Name, Identity = ByteString.CopyFrom(Gateway.Identity.Serialized) }.ToByteString();
        var asked = Gateway.Client.CommitStatusAsync(
            new SignedCommitStatusRequest { Request = request, Signature = ByteString.CopyFrom(Gateway.Identity.Sign(request.Span)) },
            deadline: Gateway.Deadline(), cancellationToken: done.Token).ResponseAsync;
        try
        {
            if (await Task.WhenAny(watched, asked).ConfigureAwait(false) == asked)
            {
                try
                {
                    var answer = await asked.ConfigureAwait(false);
                    return new CommitStatus(transactionId, answer.Result, answer.BlockNumber);
                }
                catch (RpcException e) when (e.StatusCode is not (StatusCode.DeadlineExceeded or StatusCode.Cancelled))
                {
                    throw new GatewayException(e);
                }
                catch (RpcException)
                {
                    // timed out: the watcher's own wait ends at the same time and says how far the peer got
                }
            }

            return await watched.ConfigureAwait(false);
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false); // ends whichever of the two is still waiting
        }
    }

    /// <summary>
    /// Submits a transaction already signed (from <see cref="TransactionNotCommittedException.Transaction"/>,
    /// <see cref="GatewayException.Transaction"/> or <see cref="SignedTransaction.FromBytes"/>) again and waits for
    /// its commit. Safe whatever happened to the earlier copy: returns <see cref="TxValidationCode.Valid"/> when this
    /// copy was ordered and applied, <see cref="TxValidationCode.DuplicateTxid"/> when an earlier copy had committed
    /// (this one changed nothing; <see cref="GetCommitStatusAsync"/> gives the earlier copy's outcome).
    /// </summary>
    /// <example>
    /// <code>
    /// catch (TransactionNotCommittedException e) when (e.Transaction is not null)
    /// {
    ///     var status = await network.ResubmitAsync(e.Transaction);
    /// }
    /// </code>
    /// </example>
    public async Task<CommitStatus> ResubmitAsync(SignedTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var commit = await SubmitAsync(transaction, cancellationToken).ConfigureAwait(false);
        return await commit.ConfigureAwait(false);
    }

    /// <summary>
    /// Submits a signed transaction and returns the wait for its commit. The wait is registered before the Submit, so
    /// it sees every block that could hold the transaction and counts <see cref="Gateway.MaxCommitWaitBlocks"/> from there.
    /// </summary>
    internal async Task<Task<CommitStatus>> SubmitAsync(SignedTransaction transaction, CancellationToken cancellationToken)
    {
        var watcher = await WatcherAsync(cancellationToken).ConfigureAwait(false);
        var waiter = watcher.Register(transaction.TransactionId, Gateway.MaxCommitWaitBlocks, transaction);
        try
        {
            await Gateway.Client.SubmitAsync(
                new SubmitRequest { TransactionId = transaction.TransactionId, ChannelId = Name, PreparedTransaction = transaction.Envelope },
                deadline: Gateway.Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            waiter.Stop();
            throw new GatewayException(e, transaction);
        }
        catch
        {
            waiter.Stop();
            throw;
        }

        return waiter.WaitAsync(Gateway.Timeout, cancellationToken);
    }

    /// <summary>The channel's commit watcher once it knows the peer's height.</summary>
    private async Task<CommitWatcher> WatcherAsync(CancellationToken cancellationToken)
    {
        var watcher = Gateway.Watcher(Name);
        try
        {
            await watcher.ReadyAsync(cancellationToken).WaitAsync(Gateway.Timeout, cancellationToken).ConfigureAwait(false);
            return watcher;
        }
        catch (TimeoutException)
        {
            throw new GatewayException(new RpcException(new Grpc.Core.Status(
                StatusCode.DeadlineExceeded, $"the peer did not deliver channel {Name}'s blocks (to follow commits) within {Gateway.Timeout.TotalSeconds:0.#} s")));
        }
    }

    /// <summary>
    /// Blocks from <paramref name="startBlock"/> through <paramref name="endBlock"/> (null: waiting for new ones
    /// until cancelled), each with the private data this identity's organisation is a member of (Fabric's
    /// <c>DeliverWithPrivateData</c>; the peer must be of a member organisation to hold any).
    /// </summary>
    public async IAsyncEnumerable<BlockWithPrivateData> GetBlocksWithPrivateDataAsync(ulong startBlock, ulong? endBlock = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seek = new SeekInfo
        {
            Start = new SeekPosition { Specified = new SeekSpecified { Number = startBlock } },
            Stop = new SeekPosition { Specified = new SeekSpecified { Number = endBlock ?? ulong.MaxValue } },
            Behavior = SeekInfo.Types.SeekBehavior.BlockUntilReady,
        };
        using var call = new Deliver.DeliverClient(Gateway.Channel).DeliverWithPrivateData(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(Gateway.SeekEnvelope(Name, seek), cancellationToken).ConfigureAwait(false);
        while (await NextAsync(call.ResponseStream, "block delivery", cancellationToken).ConfigureAwait(false) is { } response)
        {
            switch (response.TypeCase)
            {
                case DeliverResponse.TypeOneofCase.BlockAndPrivateData:
                    yield return new BlockWithPrivateData(response.BlockAndPrivateData.Block, response.BlockAndPrivateData.PrivateDataMap);
                    break;
                case DeliverResponse.TypeOneofCase.Status when response.Status == Protos.Common.Status.Success:
                    yield break;
                case DeliverResponse.TypeOneofCase.Status:
                    throw new InvalidOperationException($"the peer ended block delivery on channel {Name} with {response.Status}");
                default:
                    throw new InvalidOperationException($"the peer sent a {response.TypeCase} response to a request for blocks with private data");
            }
        }
    }

    /// <summary>
    /// The events of <paramref name="chaincode"/> from committed, valid transactions, from block
    /// <paramref name="startBlock"/> (default: the next block committed), until cancelled.
    /// </summary>
    public async IAsyncEnumerable<ChaincodeEvent> GetChaincodeEventsAsync(string chaincode, ulong? startBlock = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ChaincodeEventsRequest
        {
            ChannelId = Name,
            ChaincodeId = chaincode,
            Identity = ByteString.CopyFrom(Gateway.Identity.Serialized),
            StartPosition = startBlock is { } start ? new SeekPosition { Specified = new SeekSpecified { Number = start } } : new SeekPosition { NextCommit = new SeekNextCommit() },
        }.ToByteString();
        using var call = Gateway.Client.ChaincodeEvents(
            new SignedChaincodeEventsRequest { Request = request, Signature = ByteString.CopyFrom(Gateway.Identity.Sign(request.Span)) },
            cancellationToken: cancellationToken);
        while (await NextAsync(call.ResponseStream, "chaincode event listening", cancellationToken).ConfigureAwait(false) is { } response)
        {
            foreach (var chaincodeEvent in response.Events)
            {
                yield return chaincodeEvent;
            }
        }
    }

    /// <summary>The next message of a server stream, or null at its end; a failure as <see cref="GatewayException"/>, a cancellation as <see cref="OperationCanceledException"/>.</summary>
    private static async Task<T?> NextAsync<T>(IAsyncStreamReader<T> stream, string what, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await stream.MoveNext(cancellationToken).ConfigureAwait(false) ? stream.Current : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"{what} was cancelled", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw new GatewayException(e);
        }
    }
}

/// <summary>A committed block with the private data of its transactions that the caller's organisation may see.</summary>
/// <param name="Block">The block as the peer committed it (validation codes in its metadata).</param>
/// <param name="PrivateData">Per transaction index, the plaintext private write sets of the collections whose
/// member policy the caller satisfies — only what this peer holds (a purged or expired key is gone).</param>
public sealed record BlockWithPrivateData(Block Block, IReadOnlyDictionary<ulong, Protos.Ledger.Rwset.TxPvtReadWriteSet> PrivateData);

/// <summary>A chaincode on a channel: submit transactions (endorse, order, wait for commit) or evaluate queries.</summary>
public sealed class Contract
{
    private readonly Network _network;

    /// <summary>The channel this contract is on (to wait for a commit on this gateway's peer, or follow events).</summary>
    public Network Network { get; }

    internal Contract(Network network, string name, IReadOnlyList<string>? endorsingOrganizations = null)
    {
        _network = network;
        Network = network;
        Name = name;
        EndorsingOrganizations = endorsingOrganizations ?? [];
    }

    /// <summary>The chaincode name.</summary>
    public string Name { get; }

    /// <summary>The organisations (MSP ids) whose peers endorse this contract's transactions; empty: the gateway chooses.</summary>
    public IReadOnlyList<string> EndorsingOrganizations { get; }

    /// <summary>
    /// This contract with its transactions endorsed by exactly <paramref name="mspIds"/>' peers (Fabric's
    /// <c>endorsingOrganizations</c>): the client then answers for meeting the endorsement policy, and for sending
    /// transient data to those organisations — the gateway otherwise sends it only to the members of the collections
    /// the transaction uses.
    /// </summary>
    public Contract WithEndorsingOrganizations(params string[] mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        return new Contract(_network, Name, [.. mspIds]);
    }

    /// <summary>
    /// Runs <paramref name="function"/> as a transaction: endorsed, signed, ordered, and awaited until committed.
    /// Returns the chaincode's result. Throws <see cref="GatewayException"/> when endorsement or submission fails and
    /// <see cref="CommitException"/> when the committed transaction is not valid.
    /// </summary>
    public Task<byte[]> SubmitAsync(string function, params string[] args) => SubmitAsync(function, args, transient: null);

    /// <inheritdoc cref="SubmitAsync(string, string[])"/>
    public async Task<byte[]> SubmitAsync(string function, IReadOnlyList<string> args, IReadOnlyDictionary<string, byte[]>? transient, CancellationToken cancellationToken = default)
    {
        var (result, commit) = await SubmitAsyncReturningCommit(function, args, transient, cancellationToken).ConfigureAwait(false);
        var status = await commit.ConfigureAwait(false);
        return status.Result == TxValidationCode.Valid ? result : throw new CommitException(status.TransactionId, status.Result, status.BlockNumber);
    }

    /// <summary>Runs <paramref name="function"/> on the gateway's peer without ordering it; returns the result.</summary>
    public Task<byte[]> EvaluateAsync(string function, params string[] args) => EvaluateAsync(function, args, transient: null);

    /// <summary>Evaluates with transient data (e.g. private data to compare, never stored by an evaluate).</summary>
    public Task<byte[]> EvaluateAsync(string function, IReadOnlyList<string> args, IReadOnlyDictionary<string, byte[]>? transient, CancellationToken cancellationToken = default) =>
        EvaluateAsync(function, [.. args.Select(System.Text.Encoding.UTF8.GetBytes)], transient, cancellationToken);

    /// <summary>Evaluates with binary arguments (e.g. serialized protobuf messages).</summary>
    public async Task<byte[]> EvaluateAsync(string function, IReadOnlyList<byte[]> args, IReadOnlyDictionary<string, byte[]>? transient, CancellationToken cancellationToken = default)
    {
        var (signed, txId) = Propose(function, args, transient);
        try
        {
            var response = await _network.Gateway.Client.EvaluateAsync(
                new EvaluateRequest { TransactionId = txId, ChannelId = _network.Name, ProposedTransaction = signed },
                deadline: _network.Gateway.Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Result.Payload.ToByteArray();
        }
        catch (RpcException e)
        {
            throw new GatewayException(e);
        }
    }

    /// <summary>
    /// Endorses and submits without waiting: returns the result and a task that completes with the commit status,
    /// so many transactions can be in flight at once. The task fails with
    /// <see cref="TransactionNotCommittedException"/> (carrying the signed transaction to resubmit) when the peer
    /// commits <see cref="Gateway.MaxCommitWaitBlocks"/> blocks without the transaction or <see cref="Gateway.Timeout"/> passes.
    /// </summary>
    /// <example>
    /// <code>
    /// var (result, commit) = await contract.SubmitAsyncReturningCommit("PublishNav", ["GEQ", "102.40"], transient: null);
    /// try
    /// {
    ///     var status = await commit;
    /// }
    /// catch (TransactionNotCommittedException e)
    /// {
    ///     var status = await contract.Network.ResubmitAsync(e.Transaction!); // Valid, or DuplicateTxid if the first copy committed
    /// }
    /// </code>
    /// </example>
    public Task<(byte[] Result, Task<CommitStatus> Commit)> SubmitAsyncReturningCommit(
        string function, IReadOnlyList<string> args, IReadOnlyDictionary<string, byte[]>? transient, CancellationToken cancellationToken = default) =>
        SubmitAsyncReturningCommit(function, [.. args.Select(System.Text.Encoding.UTF8.GetBytes)], transient, cancellationToken);

    /// <summary>Submits with binary arguments (e.g. serialized protobuf messages); otherwise as the string form.</summary>
    public async Task<(byte[] Result, Task<CommitStatus> Commit)> SubmitAsyncReturningCommit(
        string function, IReadOnlyList<byte[]> args, IReadOnlyDictionary<string, byte[]>? transient, CancellationToken cancellationToken = default)
    {
        var gateway = _network.Gateway;
        var (signed, txId) = Propose(function, args, transient);
        Envelope envelope;
        try
        {
            var endorsed = await gateway.Client.EndorseAsync(
                new EndorseRequest { TransactionId = txId, ChannelId = _network.Name, ProposedTransaction = signed, EndorsingOrganizations = { EndorsingOrganizations } },
                deadline: gateway.Deadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
            envelope = endorsed.PreparedTransaction;
        }
        catch (RpcException e)
        {
            throw new GatewayException(e);
        }

        envelope.Signature = ByteString.CopyFrom(gateway.Identity.Sign(envelope.Payload.Span));
        var commit = await _network.SubmitAsync(SignedTransaction.Of(envelope, txId), cancellationToken).ConfigureAwait(false);
        return (ResultOf(envelope), commit);
    }

    private (SignedProposal Signed, string TxId) Propose(string function, IReadOnlyList<byte[]> args, IReadOnlyDictionary<string, byte[]>? transient)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        var identity = _network.Gateway.Identity;
        var nonce = RandomNumberGenerator.GetBytes(24);
        var txId = Convert.ToHexStringLower(SHA256.HashData([.. nonce, .. identity.Serialized]));
        var input = new ChaincodeInput();
        input.Args.Add(ByteString.CopyFromUtf8(function));
        input.Args.AddRange(args.Select(a => ByteString.CopyFrom(a)));
        var payload = new ChaincodeProposalPayload
        {
            Input = new ChaincodeInvocationSpec
            {
                ChaincodeSpec = new ChaincodeSpec { Type = ChaincodeSpec.Types.Type.Golang, ChaincodeId = new ChaincodeID { Name = Name }, Input = input },
            }.ToByteString(),
        };
        foreach (var (key, value) in transient ?? new Dictionary<string, byte[]>())
        {
            payload.TransientMap[key] = ByteString.CopyFrom(value);
        }

        var proposal = new Proposal
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.EndorserTransaction,
                    ChannelId = _network.Name,
                    TxId = txId,
                    Timestamp = Timestamp.FromDateTimeOffset(_network.Gateway.Clock.GetUtcNow()),
                    Extension = new ChaincodeHeaderExtension { ChaincodeId = new ChaincodeID { Name = Name } }.ToByteString(),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = ByteString.CopyFrom(identity.Serialized), Nonce = ByteString.CopyFrom(nonce) }.ToByteString(),
            }.ToByteString(),
            Payload = payload.ToByteString(),
        }.ToByteString();
        return (new SignedProposal { ProposalBytes = proposal, Signature = ByteString.CopyFrom(identity.Sign(proposal.Span)) }, txId);
    }

    /// <summary>The chaincode response payload carried in the endorsed transaction.</summary>
    private static byte[] ResultOf(Envelope envelope)
    {
        var transaction = Transaction.Parser.ParseFrom(Payload.Parser.ParseFrom(envelope.Payload).Data);
        var action = ChaincodeActionPayload.Parser.ParseFrom(transaction.Actions[0].Payload).Action;
        var chaincodeAction = ChaincodeAction.Parser.ParseFrom(ProposalResponsePayload.Parser.ParseFrom(action.ProposalResponsePayload).Extension);
        return chaincodeAction.Response?.Payload.ToByteArray() ?? [];
    }
}

/// <summary>The outcome of a submitted transaction: its validation code and the block that holds it.</summary>
public sealed record CommitStatus(string TransactionId, TxValidationCode Result, ulong BlockNumber)
{
    /// <summary>True when the transaction is valid and its writes applied.</summary>
    public bool IsSuccessful => Result == TxValidationCode.Valid;
}
