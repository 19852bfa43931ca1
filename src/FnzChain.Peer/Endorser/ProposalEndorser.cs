using System.Security.Cryptography;
using FnzChain.Chaincode;
using FnzChain.Crypto.Signatures;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Identity.Policies;
using FnzChain.Ledger.Simulation;
using FnzChain.Node;
using FnzChain.Node.Audit;
using FnzChain.Node.Channels;
using FnzChain.Peer.Channels;
using FnzChain.Peer.Chaincode;
using FnzChain.Protos.Common;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace FnzChain.Peer.Endorser;

/// <summary>
/// Endorses a signed proposal as Fabric's endorser does: checks the proposal (headers, creator and signature, tx id
/// binding, channel Writers, not already committed), runs the chaincode named by the channel's definition on a
/// snapshot, and signs the resulting read/write set, event and response. A proposal that cannot be endorsed gets a
/// response with status 500 and a message naming the cause, and no endorsement.
/// </summary>
public sealed class ProposalEndorser(ChannelRegistry<PeerChannel> channels, ChaincodeRuntime runtime, LocalIdentity local, TimeProvider time, PrivateData.Disseminator disseminator)
{
    /// <summary>The MSP of this peer (the gateway endorses locally for its own organisation).</summary>
    public string LocalMspId => local.MspId;

    /// <summary>Largest transient map (keys and values) a proposal may carry: private data is for records, not files.</summary>
    public const int MaxTransientBytes = 1024 * 1024;

    /// <summary>
    /// Endorses <paramref name="signed"/>. With <paramref name="evaluateOnly"/> (the gateway's Evaluate: the result
    /// is read, never ordered) the proposal is checked and simulated the same way, but private writes are neither
    /// kept nor pushed to other peers and nothing is signed. <paramref name="audit"/> receives what the checks learn
    /// (channel, tx id, chaincode, function, the creator or why it did not authenticate) for the request's record.
    /// </summary>
    public async Task<ProposalResponse> EndorseAsync(SignedProposal signed, CancellationToken cancellationToken, bool evaluateOnly = false, AuditEntry? audit = null)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ProposalResponse response;
        try
        {
            response = await EndorseCheckedAsync(signed, evaluateOnly, audit, cancellationToken).ConfigureAwait(false);
        }
        catch (ProposalRejectedException e)
        {
            response = Failure(e.Message);
        }

        PeerMetrics.Proposals.Add(1, new KeyValuePair<string, object?>("outcome", response.Endorsement is null ? "not_endorsed" : "endorsed"));
        return response;
    }

    private async Task<ProposalResponse> EndorseCheckedAsync(SignedProposal signed, bool evaluateOnly, AuditEntry? audit, CancellationToken cancellationToken)
    {
        Proposal proposal;
        Header header;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        ChaincodeProposalPayload payload;
        ChaincodeInvocationSpec invocation;
        try
        {
            proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
            header = Header.Parser.ParseFrom(proposal.Header);
            channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
            signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
            payload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
            invocation = ChaincodeInvocationSpec.Parser.ParseFrom(payload.Input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProposalRejectedException($"malformed proposal: {e.Message}");
        }

        // Names only: the function is the first argument; the other arguments and the transient map are never recorded.
        audit?.Describe(channelHeader.ChannelId, channelHeader.TxId, invocation.ChaincodeSpec?.ChaincodeId?.Name, FunctionOf(invocation));
        var transientBytes = payload.TransientMap.Sum(t => (long)t.Key.Length + t.Value.Length);
        if (transientBytes > MaxTransientBytes)
        {
            throw new ProposalRejectedException($"transient data is {transientBytes} bytes; at most {MaxTransientBytes} are accepted");
        }

        if (channelHeader.Type != (int)HeaderType.EndorserTransaction)
        {
            throw new ProposalRejectedException($"proposal header type {channelHeader.Type} is not ENDORSER_TRANSACTION");
        }

        if (channels.Find(channelHeader.ChannelId) is not { } channel)
        {
            throw new ProposalRejectedException($"channel \"{channelHeader.ChannelId}\" is not joined by this peer");
        }

        if (!HeaderTime.IsValidOrMissing(channelHeader.Timestamp))
        {
            throw new ProposalRejectedException($"proposal timestamp (seconds {channelHeader.Timestamp.Seconds}, nanos {channelHeader.Timestamp.Nanos}) is not a valid time");
        }

        var bundle = channel.Bundle;
        if (audit?.IdentityLockout(signatureHeader.Creator.Span) is { } locked)
        {
            throw locked;
        }

        var creator = bundle.Msps.Deserialize(signatureHeader.Creator.Span);
        if (!creator.IsValid)
        {
            audit?.AuthenticationFailed(creator.Rejection, signatureHeader.Creator.Span);
            throw new ProposalRejectedException($"creator: {creator.Error}");
        }

        var signature = creator.Identity!.Verify(signed.ProposalBytes.Span, signed.Signature.Span);
        if (signature.Status != SignatureStatus.Valid)
        {
            audit?.AuthenticationFailed(IdentityRejection.BadSignature, signatureHeader.Creator.Span);
            throw new ProposalRejectedException($"proposal signature of {creator.Identity}: {signature.Reason}");
        }

        audit?.Authenticated(creator.Identity);

        var expectedTxId = Convert.ToHexStringLower(SHA256.HashData([.. signatureHeader.Nonce.Span, .. signatureHeader.Creator.Span]));
        if (channelHeader.TxId != expectedTxId)
        {
            throw new ProposalRejectedException($"tx id {channelHeader.TxId} is not SHA-256 of the nonce and creator");
        }

        var writers = bundle.Evaluate(ChannelBundle.Writers, SignatureSet.Verified(creator.Identity));
        if (!writers.IsSatisfied)
        {
            throw new ProposalRejectedException(writers.Reason);
        }

        if (channel.Ledger.Blocks.GetTxLocation(channelHeader.TxId) is { } committed)
        {
            throw new ProposalRejectedException($"duplicate transaction: tx id {channelHeader.TxId} was committed in block {committed.BlockNumber}");
        }

        var name = invocation.ChaincodeSpec?.ChaincodeId?.Name ?? string.Empty;
        if (name == ChaincodeLifecycle.Namespace)
        {
            return await EndorseLifecycleAsync(channel, bundle, header, payload, invocation, evaluateOnly, cancellationToken).ConfigureAwait(false);
        }

        var definition = bundle.Chaincode(name)
            ?? throw new ProposalRejectedException($"chaincode \"{name}\" is not defined on channel {bundle.ChannelId}");
        var args = invocation.ChaincodeSpec!.Input?.Args.Select(a => a.ToByteArray()).ToList() ?? [];
        ContractDispatcher? contract = null;
        if (!PlatformFunctions.Handles(args))
        {
            try
            {
                contract = runtime.Load(definition.PackageId);
            }
            catch (ChaincodePackageException e)
            {
                throw new ProposalRejectedException($"chaincode {name}: {e.Message}");
            }
        }

        using var snapshot = await channel.Ledger.State.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var simulator = new TransactionSimulator(snapshot);
        var collections = new CollectionAccess(definition, local.MspId, creator.Identity);
        var stub = new SimulationStub(
            name,
            simulator,
            snapshot,
            channel.Ledger.History,
            channelHeader.TxId,
            channelHeader.ChannelId,
            HeaderTime.Read(channelHeader.Timestamp) ?? DateTimeOffset.UnixEpoch,
            new ClientIdentity(creator.Identity.MspId, creator.Identity.Certificate),
            payload.TransientMap.ToDictionary(p => p.Key, p => p.Value.ToByteArray()),
            collections,
            channel.Ledger.SupportsRichQueries);
        ChaincodeResponse result;
        try
        {
            result = contract is null
                ? await PlatformFunctions.InvokeAsync(name, stub, collections, args).ConfigureAwait(false)
                : await contract.InvokeAsync(stub, args).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            result = ChaincodeResponse.Error(500, $"chaincode {name}: {e.Message}");
        }

        if (!result.IsSuccess)
        {
            audit?.ChaincodeFailed(); // its message is the chaincode's own text, which may quote arguments
        }

        var response = new Response { Status = result.Status, Message = result.Message, Payload = ByteString.CopyFrom(result.Payload) };
        if (!result.IsSuccess && result.Status < 500)
        {
            return new ProposalResponse { Version = 1, Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Response = response };
        }

        if (evaluateOnly && result.IsSuccess)
        {
            return new ProposalResponse { Version = 1, Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Response = response };
        }

        // An endorsed response and event go into the block, on every node and beyond any purge: private data must not.
        if (result.IsSuccess && Leak(stub, result.Payload) is { } leakedIn)
        {
            return Failure($"chaincode {name} put private data of collection {leakedIn.Collection} into its {leakedIn.Where}, which a submitted transaction stores in the block on every node: return private data only from an evaluate");
        }

        if (simulator.HasPrivateWrites && result.IsSuccess)
        {
            var privateData = simulator.BuildPrivate();

            // Kept until the transaction commits (the committer takes the plaintext from here) — only the collections
            // this peer's organisation is a member of: a non-member endorser computes hashes and keeps nothing.
            var member = CollectionAccess.MemberPart(privateData, cc => cc == name ? definition : null, local.MspId);
            if (member.NsPvtRwset.Count > 0)
            {
                channel.Ledger.Transient.Persist(channelHeader.TxId, member, channel.Ledger.Height);
            }

            // Other member organisations' peers get their part now (they may not endorse); too few: no endorsement.
            if (await disseminator.PushAsync(channel, channelHeader.TxId, privateData, definition, cancellationToken).ConfigureAwait(false) is { } undelivered)
            {
                return Failure(undelivered);
            }
        }

        var action = new ChaincodeAction
        {
            Results = simulator.Build().ToByteString(),
            Response = response,
            ChaincodeId = new ChaincodeID { Name = name, Version = definition.Version },
        };
        if (stub.Event is { } chaincodeEvent)
        {
            action.Events = new ChaincodeEvent { ChaincodeId = name, TxId = channelHeader.TxId, EventName = chaincodeEvent.Name, Payload = ByteString.CopyFrom(chaincodeEvent.Payload) }.ToByteString();
        }

        return Signed(header, payload, action, response, result.IsSuccess);
    }

    /// <summary>The response carrying <paramref name="action"/>, endorsed by this peer when <paramref name="success"/>.</summary>
    private ProposalResponse Signed(Header header, ChaincodeProposalPayload payload, ChaincodeAction action, Response response, bool success)
    {
        var responsePayload = new ProposalResponsePayload { ProposalHash = ByteString.CopyFrom(ProposalHash(header, payload)), Extension = action.ToByteString() }.ToByteString();
        if (!success)
        {
            // As Fabric's endorser: a chaincode error of 500 or more carries the response payload (never an
            // endorsement), which is how a gateway tells it from a 500 the peer itself produced (no payload).
            return new ProposalResponse { Version = 1, Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Response = response, Payload = responsePayload };
        }

        return new ProposalResponse
        {
            Version = 1,
            Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            Response = response,
            Payload = responsePayload,
            Endorsement = new Endorsement
            {
                Endorser = ByteString.CopyFrom(local.Serialized),
                Signature = ByteString.CopyFrom(local.SignRemembered([.. responsePayload.Span, .. local.Serialized])),
            },
        };
    }

    /// <summary>
    /// A proposal to the built-in <c>_lifecycle</c> contract (<see cref="LifecycleContract"/>): run on a snapshot like
    /// any chaincode, with no transient data, private data or events.
    /// </summary>
    private async Task<ProposalResponse> EndorseLifecycleAsync(
        PeerChannel channel, ChannelBundle bundle, Header header, ChaincodeProposalPayload payload, ChaincodeInvocationSpec invocation, bool evaluateOnly, CancellationToken cancellationToken)
    {
        if (payload.TransientMap.Count > 0)
        {
            throw new ProposalRejectedException($"{ChaincodeLifecycle.Namespace} takes no transient data");
        }

        var args = invocation.ChaincodeSpec!.Input?.Args.Select(a => a.ToByteArray()).ToList() ?? [];
        using var snapshot = await channel.Ledger.State.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var simulator = new TransactionSimulator(snapshot);
        ChaincodeResponse result;
        try
        {
            result = await LifecycleContract.InvokeAsync(bundle, simulator, args, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            result = ChaincodeResponse.Error(500, $"{ChaincodeLifecycle.Namespace}: {e.Message}");
        }

        var response = new Response { Status = result.Status, Message = result.Message, Payload = ByteString.CopyFrom(result.Payload) };
        if (!result.IsSuccess || evaluateOnly)
        {
            return new ProposalResponse { Version = 1, Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()), Response = response };
        }

        var action = new ChaincodeAction
        {
            Results = simulator.Build().ToByteString(),
            Response = response,
            ChaincodeId = new ChaincodeID { Name = ChaincodeLifecycle.Namespace },
        };
        return Signed(header, payload, action, response, success: true);
    }

    /// <summary>Private values shorter than this are not looked for in responses (a "1" or "EUR" would match by chance).</summary>
    private const int MinLeakBytes = 8;

    /// <summary>Which collection's value (read or written in this simulation) the response payload or the event carries, if any.</summary>
    private static (string Collection, string Where)? Leak(SimulationStub stub, byte[] payload)
    {
        foreach (var (collection, value) in stub.PrivateValuesSeen.Where(v => v.Value.Length >= MinLeakBytes))
        {
            if (payload.AsSpan().IndexOf(value) >= 0)
            {
                return (collection, "response");
            }

            if (stub.Event is { } chaincodeEvent && chaincodeEvent.Payload.AsSpan().IndexOf(value) >= 0)
            {
                return (collection, $"event {chaincodeEvent.Name}");
            }
        }

        return null;
    }

    /// <summary>Fabric's proposal hash: SHA-256 of channel header ‖ signature header ‖ the chaincode proposal payload without its transient map.</summary>
    public static byte[] ProposalHash(Header header, ChaincodeProposalPayload payload)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        var withoutTransient = new ChaincodeProposalPayload { Input = payload.Input }.ToByteString();
        return SHA256.HashData([.. header.ChannelHeader.Span, .. header.SignatureHeader.Span, .. withoutTransient.Span]);
    }

    private ProposalResponse Failure(string message) => new()
    {
        Version = 1,
        Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        Response = new Response { Status = 500, Message = message },
    };

    private sealed class ProposalRejectedException(string message) : Exception(message);

    /// <summary>The function a proposal invokes: its first argument, when it is short printable text (never the other arguments).</summary>
    private static string? FunctionOf(ChaincodeInvocationSpec invocation)
    {
        var args = invocation.ChaincodeSpec?.Input?.Args;
        if (args is not { Count: > 0 } || args[0].Length > 128)
        {
            return null;
        }

        try
        {
            return new System.Text.UTF8Encoding(false, true).GetString(args[0].Span);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }
}
