namespace FnzChain.Cli.Tests.Commands;

public sealed class DemoCommandTests
{
    [Test]
    public async Task Demo_runs_every_step_and_shows_the_revoked_user_rejected()
    {
        using var folder = new TempFolder();
        var result = await ProcessRunner.FnzchainAsync(folder.Path, "demo");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardError, Is.Empty);
        var output = result.StandardOutput;
        Assert.That(output, Does.Contain("signature verified"));
        Assert.That(output, Does.Contain("4. Endorsement by both peers: policy satisfied"));
        Assert.That(output, Does.Contain("no valid signature from DistributorMSP.peer"));
        Assert.That(output, Does.Contain("8. Config update signed by both admins: policy satisfied"));
        Assert.That(output, Does.Match(@"rejected: certificate 'CN=User1@distributor\.example\.com.*is revoked by DistributorMSP's CRL"));
        Assert.That(output.TrimEnd(), Does.EndWith("demo: done"));
    }

    [Test]
    public async Task Demo_with_keep_leaves_a_cryptogen_layout_behind()
    {
        using var folder = new TempFolder();
        var keep = Path.Combine(folder.Path, "material");
        var result = await ProcessRunner.FnzchainAsync(folder.Path, "demo", "--keep", keep);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(File.Exists(Path.Combine(keep, "peerOrganizations", "distributor.example.com", "msp", "crls", "crl.pem")), Is.True);
    }
}
