using System.Globalization;
using FnzChain.Protos.Admin;

namespace FnzChain.Cli.Commands;

/// <summary>A peer to ask for evidence, and the admin identity (msp folder) of its organisation that may ask it.</summary>
internal sealed record EvidencePeer(string MspId, string AdminMsp, string Address)
{
    /// <summary>How to connect; by default TLS as the admin's msp folder implies (<see cref="Client.Connections.ClientTls.FromMspFolder"/>).</summary>
    public Client.Connections.ClientTls? Tls { get; init; }
}

/// <summary>One row of the evidence table: what the peer at <paramref name="Address"/> reported.</summary>
internal sealed record PeerEvidence(string Address, PrivateDataStatus Status)
{
    /// <summary>Nothing of the key left on this peer: no plaintext, no transient copy, no erasure still running.</summary>
    public bool Erased => !Status.PlaintextHeld && Status.TransientCopies == 0 && !Status.ErasurePending;
}

/// <summary>
/// Compliance evidence of what each peer holds of one private key: every peer's admin service answers
/// <c>GetPrivateDataStatus</c> (asked with an admin identity of that peer's organisation), one table row per peer.
/// Printed by <c>fnzchain private status</c> and by the demo's erasure chapter.
/// </summary>
internal static class PrivateDataEvidence
{
    /// <summary>What <paramref name="peer"/> holds of the key in <paramref name="request"/>; an unreachable or refusing peer is a <see cref="CliException"/> naming it.</summary>
    public static Task<PrivateDataStatus> AskAsync(EvidencePeer peer, PrivateDataStatusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return ChannelCommand.CallAsync(peer.Address, peer.AdminMsp, peer.MspId, peer.Tls ?? Client.Connections.ClientTls.FromMspFolder(peer.AdminMsp), new AdminRequest { PrivateDataStatus = request },
            (client, signed) => client.GetPrivateDataStatusAsync(signed, cancellationToken: cancellationToken).ResponseAsync);
    }

    /// <summary>Asks every peer in turn.</summary>
    public static async Task<IReadOnlyList<PeerEvidence>> AskAllAsync(IEnumerable<EvidencePeer> peers, PrivateDataStatusRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var rows = new List<PeerEvidence>();
        foreach (var peer in peers)
        {
            rows.Add(new PeerEvidence(peer.Address, await AskAsync(peer, request, cancellationToken).ConfigureAwait(false)));
        }

        return rows;
    }

    public static void WriteHeader(TextWriter output, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{indent}{"peer",-22} {"org",-16} {"member",-7} {"plaintext",-10} {"hash on ledger",-15} {"transient",-10} {"erasing",-8} height");
    }

    public static void WriteRow(TextWriter output, PeerEvidence row, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(row);
        var status = row.Status;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{indent}{row.Address,-22} {status.MspId,-16} {YesNo(status.Member),-7} {YesNo(status.PlaintextHeld),-10} {YesNo(status.HashOnLedger),-15} {status.TransientCopies,-10} {YesNo(status.ErasurePending),-8} {status.Height}"));
    }

    /// <summary>The header and one row per peer.</summary>
    public static void WriteTable(TextWriter output, IEnumerable<PeerEvidence> rows, string indent = "")
    {
        ArgumentNullException.ThrowIfNull(rows);
        WriteHeader(output, indent);
        foreach (var row in rows)
        {
            WriteRow(output, row, indent);
        }
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
