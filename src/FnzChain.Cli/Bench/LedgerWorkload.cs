using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using FnzChain.Ledger.Blocks;
using FnzChain.Protos.Common;
using FnzChain.Protos.Ledger.Rwset;
using FnzChain.Protos.Ledger.Rwset.Kvrwset;
using FnzChain.Protos.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using KvVersion = FnzChain.Protos.Ledger.Rwset.Kvrwset.Version;

namespace FnzChain.Cli.Bench;

/// <summary>
/// A deterministic stream of endorser-transaction blocks for <c>fnzchain bench ledger</c> and the crash test:
/// block n is a pure function of n and the parameters, so a restarted writer continues where the ledger is and a
/// checker can compute the exact expected state at any height.
/// </summary>
/// <remarks>
/// Global transaction g (= block × TxPerBlock + index) touches the <c>Width = max(reads, writes)</c> keys
/// <c>(g × Width + s) mod Keys</c> for s in [0, Width): it reads the first <c>Reads</c> and writes the first
/// <c>Writes</c>. A key is therefore touched again every <c>Period = Keys / Width</c> transactions, at the same
/// slot, so each read version is known in advance (the previous toucher, if it wrote) and, with
/// <c>Period ≥ TxPerBlock</c>, no two transactions of a block share a key: every transaction is valid.
/// Envelopes have Fabric's shape and realistic sizes (an ~800-byte creator certificate and one endorsement);
/// signatures are random bytes, since the ledger does not check them.
/// </remarks>
internal sealed class LedgerWorkload
{
    public const string Namespace = "bench";
    private const int IdentityBytes = 800;
    private const int SignatureBytes = 72;

    private readonly ByteString _creator;
    private readonly ByteString _signature;
    private readonly ByteString _proposalHash;
    private readonly ByteString _nonce;

    public LedgerWorkload(int txPerBlock, int reads, int writes, int keys, int valueBytes)
    {
        if (txPerBlock < 1 || reads < 0 || writes < 0 || reads + writes == 0 || valueBytes < 16)
        {
            throw new ArgumentException("need at least one transaction per block, one read or write, and 16-byte values");
        }

        TxPerBlock = txPerBlock;
        Reads = reads;
        Writes = writes;
        Width = Math.Max(reads, writes);
        ValueBytes = valueBytes;
        Keys = keys;
        if (keys % Width != 0 || keys / Width < txPerBlock)
        {
            throw new ArgumentException($"--keys must be a multiple of {Width} and at least {txPerBlock * Width} (transactions per block × keys per transaction)");
        }

        // Fixed filler standing for certificates and signatures; deterministic so every run writes the same bytes.
        _creator = Filler("creator", IdentityBytes);
        _signature = Filler("signature", SignatureBytes);
        _proposalHash = Filler("proposal", 32);
        _nonce = Filler("nonce", 24);
    }

    public int TxPerBlock { get; }

    public int Reads { get; }

    public int Writes { get; }

    public int Width { get; }

    public int Keys { get; }

    public int ValueBytes { get; }

    /// <summary>Transactions between two touches of the same key.</summary>
    public long Period => Keys / Width;

    /// <summary>Blocks until every key has been touched once (reads then find existing values).</summary>
    public ulong WarmUpBlocks => (ulong)((Period + TxPerBlock - 1) / TxPerBlock);

    public static string KeyName(long key) => "k" + key.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>Block <paramref name="number"/>, chained to a block whose header hash is <paramref name="previousHash"/>.</summary>
    public Block CreateBlock(ulong number, ReadOnlyMemory<byte> previousHash)
    {
        var envelopes = new ByteString[TxPerBlock];
        for (var t = 0; t < TxPerBlock; t++)
        {
            envelopes[t] = CreateEnvelope(((long)number * TxPerBlock) + t);
        }

        return BlockFactory.Create(number, previousHash, envelopes);
    }

    /// <summary>The value and version of key <paramref name="key"/> after <paramref name="height"/> blocks, or null if never written.</summary>
    public (byte[] Value, ulong Block, ulong Tx)? Expected(long key, ulong height)
    {
        var slot = (int)(key % Width);
        if (slot >= Writes)
        {
            return null;
        }

        var first = key / Width; // the first transaction that touches this key
        var total = (long)height * TxPerBlock;
        if (total <= first)
        {
            return null;
        }

        var last = first + (Period * ((total - 1 - first) / Period));
        return (Value(last, slot), (ulong)(last / TxPerBlock), (ulong)(last % TxPerBlock));
    }

    public static string TxId(long g)
    {
        Span<byte> seed = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seed, g);
        return Convert.ToHexStringLower(SHA256.HashData(seed));
    }

    public byte[] Value(long g, int slot)
    {
        var value = new byte[ValueBytes];
        var text = $"tx {g} slot {slot} ";
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)text[i % text.Length];
        }

        return value;
    }

    private ByteString CreateEnvelope(long g)
    {
        var kv = new KVRWSet();
        for (var s = 0; s < Width; s++)
        {
            var key = ((g * Width) + s) % Keys;
            if (s < Reads)
            {
                var previous = g - Period;
                kv.Reads.Add(new KVRead
                {
                    Key = KeyName(key),
                    Version = previous >= 0 && s < Writes ? new KvVersion { BlockNum = (ulong)(previous / TxPerBlock), TxNum = (ulong)(previous % TxPerBlock) } : null,
                });
            }

            if (s < Writes)
            {
                kv.Writes.Add(new KVWrite { Key = KeyName(key), Value = UnsafeByteOperations.UnsafeWrap(Value(g, s)) });
            }
        }

        var rwset = new TxReadWriteSet { DataModel = TxReadWriteSet.Types.DataModel.Kv };
        rwset.NsRwset.Add(new NsReadWriteSet { Namespace = Namespace, Rwset = kv.ToByteString() });
        var action = new ChaincodeAction
        {
            Results = rwset.ToByteString(),
            Response = new Response { Status = 200 },
            ChaincodeId = new ChaincodeID { Name = Namespace, Version = "1.0" },
        };
        var endorsed = new ChaincodeEndorsedAction
        {
            ProposalResponsePayload = new ProposalResponsePayload { ProposalHash = _proposalHash, Extension = action.ToByteString() }.ToByteString(),
        };
        endorsed.Endorsements.Add(new Endorsement { Endorser = _creator, Signature = _signature });
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction
        {
            Header = new SignatureHeader { Creator = _creator, Nonce = _nonce }.ToByteString(),
            Payload = new ChaincodeActionPayload { ChaincodeProposalPayload = _signature, Action = endorsed }.ToByteString(),
        });
        var txId = TxId(g);
        var payload = new Payload
        {
            Header = new Header
            {
                ChannelHeader = new ChannelHeader
                {
                    Type = (int)HeaderType.EndorserTransaction,
                    ChannelId = "bench",
                    TxId = txId,
                    Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddMilliseconds(g)),
                }.ToByteString(),
                SignatureHeader = new SignatureHeader { Creator = _creator, Nonce = _nonce }.ToByteString(),
            },
            Data = transaction.ToByteString(),
        };
        return new Envelope { Payload = payload.ToByteString(), Signature = _signature }.ToByteString();
    }

    private static ByteString Filler(string label, int length)
    {
        var bytes = new byte[length];
        var block = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label));
        for (var i = 0; i < length; i++)
        {
            bytes[i] = block[i % block.Length];
        }

        return UnsafeByteOperations.UnsafeWrap(bytes);
    }
}
