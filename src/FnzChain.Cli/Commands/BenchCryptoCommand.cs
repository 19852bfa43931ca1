using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FnzChain.Crypto.Signatures;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace FnzChain.Cli.Commands;

/// <summary>
/// <c>fnzchain bench crypto</c>: ECDSA P-256 sign and verify per second, single-threaded and on every core, for the
/// platform implementation (OpenSSL on Linux; what FnzChain.Crypto uses) and for BouncyCastle (kept here only to
/// justify that choice), plus SHA-256 throughput. Both do the same work per operation: SHA-256 of a 256-byte
/// message, the curve operation, low-S DER encoding or strict DER decoding.
/// </summary>
internal static class BenchCryptoCommand
{
    private const int MessageSize = 256;

    public static Command Create()
    {
        var seconds = new Option<double>("--seconds") { Description = "Seconds to run each measurement (default 2).", DefaultValueFactory = _ => 2.0 };
        var command = new Command("crypto", "ECDSA P-256 sign/verify per second (platform vs BouncyCastle, one core and all cores) and SHA-256 MB/s.");
        command.Options.Add(seconds);
        command.SetAction((parse, cancellationToken) =>
        {
            var duration = parse.GetValue(seconds);
            if (duration is <= 0 or > 600)
            {
                throw new CliException($"--seconds must be between 0 and 600, not {duration.ToString(CultureInfo.InvariantCulture)}");
            }

            Run(TimeSpan.FromSeconds(duration), parse.InvocationConfiguration.Output, cancellationToken);
            return Task.FromResult(0);
        });
        return command;
    }

    private static void Run(TimeSpan duration, TextWriter output, CancellationToken cancellationToken)
    {
        var cores = Environment.ProcessorCount;
        output.WriteLine($"crypto benchmark: ECDSA P-256 over SHA-256 of {MessageSize}-byte messages, {duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s per row, {cores} logical cores");
        output.WriteLine($"{"implementation",-14} {"operation",-9} {"threads",7} {"ops/s",12} {"ops/s/core",12}");

        var results = new Dictionary<(string Implementation, string Operation, int Threads), double>();
        foreach (var implementation in new[] { "platform", "bouncycastle" })
        {
            foreach (var operation in new[] { "sign", "verify" })
            {
                foreach (var threads in cores > 1 ? new[] { 1, cores } : [1])
                {
                    var rate = Measure(threads, duration, () => CreateWorker(implementation, operation), cancellationToken);
                    results[(implementation, operation, threads)] = rate;
                    output.WriteLine($"{implementation,-14} {operation,-9} {threads,7} {Format(rate),12} {Format(rate / threads),12}");
                }
            }
        }

        foreach (var size in new[] { 256, 64 * 1024 })
        {
            var buffer = new byte[size];
            RandomNumberGenerator.Fill(buffer);
            var hashesPerSecond = Measure(1, duration, () => () => SHA256.HashData(buffer), cancellationToken);
            var megabytes = hashesPerSecond * size / (1024.0 * 1024.0);
            output.WriteLine($"sha-256 {size,6}-byte inputs: {Format(megabytes)} MB/s ({Format(hashesPerSecond)} hashes/s, 1 thread)");
        }

        output.WriteLine($"crypto: {Format(results[("platform", "sign", 1)])} sign/s, {Format(results[("platform", "verify", 1)])} verify/s per core");
    }

    /// <summary>Runs one worker per thread (each with its own keys and state) for the duration; returns operations per second.</summary>
    private static double Measure(int threads, TimeSpan duration, Func<Action> createWorker, CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, threads).Select(_ => createWorker()).ToArray();
        foreach (var worker in workers)
        {
            for (var i = 0; i < 20; i++)
            {
                worker();
            }
        }

        var counts = new long[threads];
        using var start = new Barrier(threads + 1);
        var stopwatch = new Stopwatch();
        var running = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var worker = workers[t];
            long count = 0;
            start.SignalAndWait(cancellationToken);
            while (stopwatch.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                for (var i = 0; i < 16; i++)
                {
                    worker();
                }

                count += 16;
            }

            counts[t] = count;
        })
        { IsBackground = true }).ToList();

        running.ForEach(t => t.Start());
        stopwatch.Start();
        start.SignalAndWait(cancellationToken);
        running.ForEach(t => t.Join());
        cancellationToken.ThrowIfCancellationRequested();
        return counts.Sum() / stopwatch.Elapsed.TotalSeconds;
    }

    private static Action CreateWorker(string implementation, string operation)
    {
        var message = new byte[MessageSize];
        RandomNumberGenerator.Fill(message);
        var signer = EcdsaSigner.Generate();
        var signature = signer.Sign(message);
        if (implementation == "platform")
        {
            var verifier = EcdsaVerifier.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());
            var destination = new byte[EcdsaSignature.MaxDerSize];
            return operation == "sign"
                ? () => signer.Sign(message, destination)
                : () => Check(verifier.Verify(message, signature));
        }

        var privateKey = (ECPrivateKeyParameters)PrivateKeyFactory.CreateKey(signer.ExportPkcs8());
        var publicKey = (ECPublicKeyParameters)PublicKeyFactory.CreateKey(signer.ExportSubjectPublicKeyInfo());
        var bc = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        if (operation == "sign")
        {
            bc.Init(true, privateKey);
            var buffer = new byte[EcdsaSignature.MaxDerSize];
            return () => BouncyCastleSign(bc, message, buffer);
        }

        bc.Init(false, publicKey);
        return () => BouncyCastleVerify(bc, message, signature);
    }

    private static void BouncyCastleSign(ECDsaSigner signer, byte[] message, byte[] destination)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(message, digest);
        var rs = signer.GenerateSignature(digest.ToArray());
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        var r = rs[0].ToByteArrayUnsigned();
        r.CopyTo(fixedSignature[(P256.ScalarSize - r.Length)..P256.ScalarSize]);
        var s = rs[1].ToByteArrayUnsigned();
        s.CopyTo(fixedSignature[(EcdsaSignature.FixedSize - s.Length)..]);
        EcdsaSignature.EncodeDerLowS(fixedSignature, destination);
    }

    private static void BouncyCastleVerify(ECDsaSigner signer, byte[] message, byte[] der)
    {
        Span<byte> fixedSignature = stackalloc byte[EcdsaSignature.FixedSize];
        Check(EcdsaSignature.TryDecodeDer(der, fixedSignature));
        var digest = SHA256.HashData(message);
        var r = new BcBigInteger(1, fixedSignature[..P256.ScalarSize]);
        var s = new BcBigInteger(1, fixedSignature[P256.ScalarSize..]);
        if (!signer.VerifySignature(digest, r, s))
        {
            throw new CryptographicException("BouncyCastle rejected a valid signature");
        }
    }

    private static void Check(SignatureCheck check)
    {
        if (!check.IsValid)
        {
            throw new CryptographicException($"benchmark signature rejected: {check.Reason}");
        }
    }

    private static string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
