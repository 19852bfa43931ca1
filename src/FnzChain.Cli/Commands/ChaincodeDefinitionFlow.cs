using FnzChain.Client;
using FnzChain.Crypto.Keys;
using FnzChain.Identity.Channels;
using FnzChain.Identity.Msp;
using FnzChain.Orderer.Channels;
using FnzChain.Protos.Common;
using FnzChain.Protos.Lifecycle;
using FnzChain.Protos.Msp;
using FnzChain.Protos.Peer;
using Google.Protobuf;

namespace FnzChain.Cli.Commands;

/// <summary>
/// Chaincode definitions through the peers' <c>_lifecycle</c> contract: read the committed ones, approve a proposal
/// as an organisation's admin, commit it (endorsed under LifecycleEndorsement), and the approvals file passed between
/// admins (a serialized <see cref="DefinitionApprovals"/>).
/// </summary>
internal static class ChaincodeDefinitionFlow
{
    /// <summary>The definitions committed on <paramref name="channel"/>, as the gateway's peer has them.</summary>
    public static async Task<IReadOnlyList<ChaincodeDefinition>> QueryAsync(Gateway gateway, string channel, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await gateway.GetNetwork(channel).GetContract(ChaincodeLifecycle.Namespace)
                .EvaluateAsync(ChaincodeLifecycle.QueryAllFunction, Array.Empty<byte[]>(), transient: null, cancellationToken).ConfigureAwait(false);
            return ChaincodeDefinitions.Parser.ParseFrom(bytes).Chaincodes;
        }
        catch (GatewayException e)
        {
            throw new CliException($"reading the chaincode definitions of channel {channel}: {Reason(e)}");
        }
    }

    /// <summary>An admin's approval of <paramref name="approvals"/>' proposal (refused when that identity already approved it).</summary>
    public static void Approve(DefinitionApprovals approvals, string mspId, SigningIdentityFiles admin)
    {
        var creator = MspRegistry.Serialize(mspId, admin.Certificate);
        foreach (var existing in approvals.Approvals)
        {
            if (SignatureHeader.Parser.ParseFrom(existing.SignatureHeader).Creator.Span.SequenceEqual(creator))
            {
                throw new CliException($"{mspId} identity {admin.Certificate.Subject} has already approved this definition");
            }
        }

        approvals.Approvals.Add(ConfigUpdates.Sign(approvals.Proposal, creator, admin.Signer));
    }

    /// <summary>Submits the commit transaction and waits for it on the gateway's peer; returns the block that holds it.</summary>
    public static async Task<ulong> CommitAsync(Gateway gateway, string channel, DefinitionApprovals approvals, CancellationToken cancellationToken)
    {
        CommitStatus status;
        try
        {
            var (_, commit) = await gateway.GetNetwork(channel).GetContract(ChaincodeLifecycle.Namespace)
                .SubmitAsyncReturningCommit(ChaincodeLifecycle.CommitFunction, [approvals.ToByteArray()], transient: null, cancellationToken).ConfigureAwait(false);
            status = await commit.ConfigureAwait(false);
        }
        catch (GatewayException e)
        {
            throw new CliException($"committing the chaincode definition: {Reason(e)}");
        }

        return status.IsSuccessful
            ? status.BlockNumber
            : throw new CliException($"the chaincode definition transaction {status.TransactionId} was committed as {status.Result} in block {status.BlockNumber} (another definition of it came first, or see the peer's log for the reason)");
    }

    /// <summary>A new proposal: <paramref name="definition"/> for <paramref name="channel"/>, not yet approved.</summary>
    public static DefinitionApprovals Propose(string channel, ChaincodeDefinition definition) =>
        new() { Proposal = new DefinitionProposal { ChannelId = channel, Definition = definition.ToByteString() }.ToByteString() };

    public static void Write(string path, DefinitionApprovals approvals) => File.WriteAllBytes(path, approvals.ToByteArray());

    /// <summary>Reads an approvals file strictly; any problem is one line naming the file.</summary>
    public static (DefinitionApprovals Approvals, DefinitionProposal Proposal, ChaincodeDefinition Definition) Read(string path)
    {
        try
        {
            var approvals = DefinitionApprovals.Parser.ParseFrom(File.ReadAllBytes(path));
            var (proposal, definition) = ChaincodeLifecycle.Read(approvals);
            if (string.IsNullOrEmpty(proposal.ChannelId) || string.IsNullOrEmpty(definition.Name))
            {
                throw new FormatException("it names no channel or no chaincode");
            }

            foreach (var approval in approvals.Approvals)
            {
                SignatureHeader.Parser.ParseFrom(approval.SignatureHeader);
            }

            return (approvals, proposal, definition);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            throw new CliException($"{path} is not a chaincode definition approvals file (`fnzchain chaincode define --out`): {e.Message}");
        }
    }

    /// <summary>One line describing a definition, for operators checking what they approve.</summary>
    public static string Describe(ChaincodeDefinition definition) =>
        $"{definition.Name} version {definition.Version}, sequence {definition.Sequence}, endorsement policy "
        + (string.IsNullOrEmpty(definition.EndorsementPolicySource) ? "channel policy Endorsement" : definition.EndorsementPolicySource)
        + (string.IsNullOrEmpty(definition.PackageId) ? string.Empty : $", package {definition.PackageId}")
        + (definition.Collections is { Config.Count: > 0 } c ? $", collections {string.Join(", ", c.Config.Select(x => x.StaticCollectionConfig?.Name))}" : string.Empty)
        + (definition.InitRequired ? ", init required" : string.Empty);

    /// <summary>Who approved, as MSP id and certificate subject.</summary>
    public static IEnumerable<string> Approvers(DefinitionApprovals approvals) =>
        approvals.Approvals.Select(a =>
        {
            var creator = SignatureHeader.Parser.ParseFrom(a.SignatureHeader).Creator;
            try
            {
                var identity = SerializedIdentity.Parser.ParseFrom(creator);
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(identity.IdBytes.ToStringUtf8());
                return $"{identity.Mspid} ({certificate.Subject})";
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or System.Security.Cryptography.CryptographicException)
            {
                return "an identity that does not parse";
            }
        });

    private static string Reason(GatewayException e) =>
        e.Details.Select(d => d.Message).FirstOrDefault(m => m.Length > 0) is { } detail ? $"{e.Message} ({detail})" : e.Message ?? "gateway call failed";
}
