using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FnzChain.Protos.Msp;
using Google.Protobuf;

namespace FnzChain.Identity.Msp;

/// <summary>
/// The MSPs of one channel, and the entry point for turning <c>msp.SerializedIdentity</c> bytes into a
/// <see cref="ValidatedIdentity"/>. Validated identities are cached by the SHA-256 of their serialized bytes,
/// so signatures on the hot path cost one hash and one dictionary lookup before the curve operation.
/// </summary>
/// <remarks>
/// Cache rules: a hit is still checked against the current time (certificates expire while cached) and against
/// the MSP instance that validated it (replacing an MSP definition, e.g. with a new CRL, invalidates every
/// identity of that MSP). Failures are not cached: a refused identity is rare on an honest network, and
/// caching it would keep refusing after the MSP is fixed. The cache is bounded; when full, about a quarter of
/// the entries are dropped.
/// </remarks>
public sealed class MspRegistry
{
    /// <summary>Upper bound on serialized identity bytes accepted from the network.</summary>
    public const int MaxSerializedIdentitySize = 64 * 1024;

    public const int DefaultCacheCapacity = 16_384;

    private readonly TimeProvider _time;
    private readonly int _cacheCapacity;
    private readonly ConcurrentDictionary<IdentityKey, ValidatedIdentityEntry> _cache = new();
    private volatile FrozenDictionary<string, MemberServiceProvider> _msps;

    public MspRegistry(IEnumerable<MspDefinition> definitions, TimeProvider? time = null, int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        _time = time ?? TimeProvider.System;
        _cacheCapacity = cacheCapacity;
        var msps = new Dictionary<string, MemberServiceProvider>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            if (!msps.TryAdd(definition.MspId, new MemberServiceProvider(definition)))
            {
                throw new MspException($"MSP id '{definition.MspId}' is defined twice");
            }
        }

        _msps = msps.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> MspIds => _msps.Keys;

    public TimeProvider Time => _time;

    /// <summary>Number of validated identities currently cached.</summary>
    public int CachedIdentities => _cache.Count;

    public MemberServiceProvider? Find(string mspId) => _msps.GetValueOrDefault(mspId);

    /// <summary>
    /// Adds or replaces an MSP (e.g. a config update with a new CRL). Identities of that MSP validated before
    /// are validated afresh on their next use.
    /// </summary>
    public void Update(MspDefinition definition)
    {
        var provider = new MemberServiceProvider(definition);
        lock (_cache)
        {
            var msps = new Dictionary<string, MemberServiceProvider>(_msps, StringComparer.Ordinal) { [definition.MspId] = provider };
            _msps = msps.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Deserializes and validates an identity, from the cache when it was validated before. Total: any bytes get
    /// an identity or a typed rejection with a one-line reason, never an exception (identities come from the
    /// network, inside requests and inside blocks).
    /// </summary>
    public IdentityResult Deserialize(ReadOnlySpan<byte> serializedIdentity)
    {
        try
        {
            return DeserializeCore(serializedIdentity);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return IdentityResult.Invalid($"identity cannot be read: {MemberServiceProvider.OneLine(e)}", IdentityRejection.Malformed);
        }
    }

    private IdentityResult DeserializeCore(ReadOnlySpan<byte> serializedIdentity)
    {
        if (serializedIdentity.IsEmpty)
        {
            return IdentityResult.Invalid("identity is empty");
        }

        if (serializedIdentity.Length > MaxSerializedIdentitySize)
        {
            return IdentityResult.Invalid($"identity is {serializedIdentity.Length} bytes; at most {MaxSerializedIdentitySize} are accepted");
        }

        var key = IdentityKey.Of(serializedIdentity);
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && ReferenceEquals(Find(cached.Identity.MspId), cached.Provider))
        {
            var periodError = MemberServiceProvider.CheckValidityPeriod(cached.Identity.Certificate, now);
            return periodError is null ? IdentityResult.Valid(cached.Identity) : IdentityResult.Invalid(periodError, IdentityRejection.OutsideValidity);
        }

        var bytes = serializedIdentity.ToArray();
        SerializedIdentity message;
        try
        {
            message = SerializedIdentity.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return IdentityResult.Invalid($"identity is not a valid msp.SerializedIdentity: {ex.Message}");
        }

        var provider = Find(message.Mspid);
        if (provider is null)
        {
            return IdentityResult.Invalid($"identity's MSP '{message.Mspid}' is not known on this channel", IdentityRejection.UnknownMsp);
        }

        var certificate = ReadPemCertificate(message.IdBytes.Span, message.Mspid, out var parseError);
        if (certificate is null)
        {
            return IdentityResult.Invalid(parseError);
        }

        var result = provider.Validate(certificate, bytes, now);
        if (result.Identity is { } identity)
        {
            if (_cache.Count >= _cacheCapacity)
            {
                Evict();
            }

            _cache[key] = new ValidatedIdentityEntry(identity, provider);
        }

        return result;
    }

    /// <summary>Serializes a certificate of <paramref name="mspId"/> as <c>msp.SerializedIdentity</c> (PEM id bytes), as Fabric does.</summary>
    public static byte[] Serialize(string mspId, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var pem = PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";
        return new SerializedIdentity { Mspid = mspId, IdBytes = ByteString.CopyFromUtf8(pem) }.ToByteArray();
    }

    private void Evict()
    {
        var toDrop = Math.Max(1, _cacheCapacity / 4);
        foreach (var key in _cache.Keys.Take(toDrop))
        {
            _cache.TryRemove(key, out _);
        }
    }

    private static X509Certificate2? ReadPemCertificate(ReadOnlySpan<byte> idBytes, string mspId, out string error)
    {
        error = string.Empty;
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(idBytes);
        }
        catch (DecoderFallbackException)
        {
            error = $"identity of {mspId}: id_bytes is not a PEM certificate (not UTF-8 text)";
            return null;
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] is not "CERTIFICATE")
        {
            error = $"identity of {mspId}: id_bytes is not a PEM certificate";
            return null;
        }

        if (text.AsSpan(fields.Location.End).Trim().Length != 0)
        {
            error = $"identity of {mspId}: id_bytes has data after the PEM certificate";
            return null;
        }

        try
        {
            var der = Convert.FromBase64String(text[fields.Base64Data]);
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            error = $"identity of {mspId}: id_bytes does not hold a valid X.509 certificate: {ex.Message}";
            return null;
        }
    }

    private sealed record ValidatedIdentityEntry(ValidatedIdentity Identity, MemberServiceProvider Provider);

    /// <summary>SHA-256 of serialized identity bytes, as a value-type dictionary key.</summary>
    private readonly record struct IdentityKey(ulong A, ulong B, ulong C, ulong D)
    {
        public static IdentityKey Of(ReadOnlySpan<byte> bytes)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes, hash);
            return new IdentityKey(
                BitConverter.ToUInt64(hash),
                BitConverter.ToUInt64(hash[8..]),
                BitConverter.ToUInt64(hash[16..]),
                BitConverter.ToUInt64(hash[24..]));
        }
    }
}
